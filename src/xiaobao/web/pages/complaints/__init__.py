"""Complaint pages: the workbench (/ui/workbench) and a complaint's case file and intake (/ui/complaints).

`casefile` assembles what those pages show (queues, filters' reference data, actions a role may take,
findings located in the text); `detail` and `workbench` are the routes.
"""

from fastapi import APIRouter

from xiaobao.web.pages.complaints import detail, workbench

router = APIRouter()
router.include_router(detail.router)
router.include_router(workbench.router)
NAV = [*workbench.NAV]
