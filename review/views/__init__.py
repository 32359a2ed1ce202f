"""Console pages, one module per page family; ROUTERS is what review.app mounts, in order."""

from __future__ import annotations

from review.views import lead, queue, session

ROUTERS = [session.router, queue.router, lead.router]
