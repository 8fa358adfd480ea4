"""Pydantic models for every wire format (Domeggook, Naver) and every queue/stream message."""
