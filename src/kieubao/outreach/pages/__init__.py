"""Outreach pages: advisories on the public portal and the officers' workflow in the console."""

from fastapi import APIRouter

from kieubao.outreach.pages.console import router as console_router
from kieubao.outreach.pages.portal import router as portal_router

router = APIRouter(include_in_schema=False)
router.include_router(console_router)
router.include_router(portal_router)
