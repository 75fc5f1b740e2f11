"""Who may do what: callers, their roles, API keys and bearer tokens. Shared by the HTTP API
(which checks every request) and the CLI (which manages API keys)."""
