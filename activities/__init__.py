"""Activities: the saga's steps and their compensations, one small class per service."""
