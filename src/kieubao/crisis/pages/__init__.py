"""The crisis domain's pages: the early-warning board, crisis rosters and the reply links;
"I am in the affected area" apart, as the router the app tries first (``surge_router``)."""

from fastapi import APIRouter

from kieubao.crisis.pages.board import router as board_router
from kieubao.crisis.pages.evacuation import router as evacuation_router
from kieubao.crisis.pages.here import router as surge_router
from kieubao.crisis.pages.replies import router as replies_router
from kieubao.crisis.pages.roster_lists import router as roster_lists_router
from kieubao.crisis.pages.rosters import router as rosters_router
from kieubao.crisis.pages.volunteers import router as volunteers_router

router = APIRouter(include_in_schema=False)
router.include_router(board_router)
router.include_router(rosters_router)
router.include_router(roster_lists_router)
router.include_router(evacuation_router)
router.include_router(replies_router)
router.include_router(volunteers_router)

__all__ = ["router", "surge_router"]
