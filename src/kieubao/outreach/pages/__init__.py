"""Outreach pages: advisories and community news on the public portal, subscriptions, and the
officers' workflow in the console."""

from fastapi import APIRouter

from kieubao.outreach.pages.bulletin_console import router as bulletin_console_router
from kieubao.outreach.pages.community import router as community_router
from kieubao.outreach.pages.console import router as console_router
from kieubao.outreach.pages.portal import router as portal_router

router = APIRouter(include_in_schema=False)
router.include_router(console_router)
router.include_router(portal_router)
router.include_router(community_router)
router.include_router(bulletin_console_router)
