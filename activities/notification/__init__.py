"""The notification service: the customer's mails about their order, sent over SMTP."""
