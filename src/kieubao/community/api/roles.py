"""Who may do what with community data.

Community editors keep the directories and events; officers read them to work with the
community. Partner agencies are staff too, but see only aggregates: profiles and figures.
"""

from typing import Annotated

from fastapi import Depends

from kieubao.platform.deps import Allow
from kieubao.platform.models import OFFICER_ROLES, Role, User

Editor = Annotated[User, Depends(Allow(Role.community_editor, Role.admin))]
Reader = Annotated[User, Depends(Allow(Role.community_editor, *OFFICER_ROLES))]
