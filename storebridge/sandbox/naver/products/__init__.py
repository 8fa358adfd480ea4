"""The simulated Smart Store product service: storage, create/read/update/delete, changes, search.

``store`` keeps the registered products (``SimSmartStore`` of ``StoredProduct``) with Naver's
storage rules; ``handlers`` (create/read/full replace/delete), ``changes`` (status, option stock),
``bulk`` (multi-update, bulk-update) and ``search`` are the routes ``naver.app`` registers.

Only the storage is re-exported here: ``naver.state`` imports it while it is itself being imported,
and the route modules import ``naver.state``, so importing them from this ``__init__`` would be a
cycle. Import a handler from its own module.
"""

from storebridge.sandbox.naver.products.store import SimSmartStore, StoredProduct, sanitise_detail_html

__all__ = ["SimSmartStore", "StoredProduct", "sanitise_detail_html"]
