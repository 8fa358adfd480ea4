"""Dramatiq side of StoreBridge: broker, middleware, thin async actors and the intake daemon."""
