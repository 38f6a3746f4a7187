"""The community domain's pages: the console (directories, events, volunteers, programs,
contributions, check-in) and public delegate registration on the portal."""

from fastapi import APIRouter

from kieubao.community.pages.directory import router as directory_router
from kieubao.community.pages.events import router as events_router
from kieubao.community.pages.home import router as home_router
from kieubao.community.pages.portal import router as portal_router
from kieubao.community.pages.work import router as work_router

router = APIRouter(include_in_schema=False)
router.include_router(home_router)
router.include_router(directory_router)
router.include_router(events_router)
router.include_router(work_router)
router.include_router(portal_router)
