"""What both planes need: HTTP error shape, database engine setup, token and crypto primitives."""
