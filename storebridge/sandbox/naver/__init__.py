"""naver."""
