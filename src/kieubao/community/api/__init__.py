"""The community API under /api/v1/community: directories, events, volunteers, programs."""

from fastapi import APIRouter

from kieubao.community.api.directory import router as directory_router
from kieubao.community.api.events import router as events_router
from kieubao.community.api.work import router as work_router

router = APIRouter(prefix="/community", tags=["community"])
router.include_router(directory_router)
router.include_router(events_router)
router.include_router(work_router)
