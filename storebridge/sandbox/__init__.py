"""Local simulators of the Domeggook and Naver Commerce APIs, served over real HTTP on loopback.

Nobody can reach the real APIs from a development or CI machine, so every test, the demo and the
benchmarks run against these simulators. They are built from the public wire formats in
``shared/reference`` and deliberately reproduce the quirks the clients must survive.

Layout: ``catalog/`` (the generated Domeggook items), ``domeggook/`` and ``naver/`` (one simulator
each), ``images`` (the Domeggook image host), ``faults`` (fault injection both share), ``runner``
(``Sandbox``: both simulators on their ports) and ``stats`` (what the simulators counted).

The sandbox is a **leaf**: it may import production code (``storebridge.serve``,
``storebridge.limiter`` for bucket names), but no production module imports it; only
``commands/sandbox.py``, ``commands/demo.py``, ``devstack/``, ``bench/`` and the tests do. Ruff's
banned-api rule (TID251, ``pyproject.toml``) and ``tests/test_layering.py`` enforce it. Classes
whose concept also exists on the production side carry a ``Sim`` prefix (``SimKeyQuota``,
``SimSmartStore``, ``SimNaverImageHost`` …) so a name never means two things.

Where a rule comes from is tagged at the spot with the reference's evidence tags: for Naver
[OFF] documentation, [NAV] Naver staff, [OBS] observed in integrators' code, [INF] our inference,
[UNK] no evidence; for Domeggook [DOC], [LIVE], [CODE], [ONE] and [GUESS] (``domeggook-api.md``).
"""

from storebridge.sandbox.faults import Fault, Faults
from storebridge.sandbox.runner import Sandbox, SandboxOptions

__all__ = ["Fault", "Faults", "Sandbox", "SandboxOptions"]
