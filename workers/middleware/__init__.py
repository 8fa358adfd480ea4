"""Small Dramatiq middlewares (each under ~100 lines): cross-cutting behaviour stays out of the actors."""
