"""A hostile web for the tests: a fault-injecting HTTP server on 127.0.0.1 and crawls run through it."""
