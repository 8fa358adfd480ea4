"""Local simulators of the Domeggook and Naver Commerce APIs, served over real HTTP on loopback.

Nobody can reach the real APIs from a development or CI machine, so every test, the demo and the
benchmarks run against these simulators. They are built from the public wire formats in
``shared/reference`` and deliberately reproduce the quirks the clients must survive.
"""
