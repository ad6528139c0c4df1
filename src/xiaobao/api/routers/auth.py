from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from xiaobao.domain.roles import ROLE_NAMES_ZH
from xiaobao.services import auth
from xiaobao.services.actors import Actor
from xiaobao.api.deps import bearer, current_actor, get_ctx
from xiaobao.api.schemas import Login

router = APIRouter(prefix="/auth", tags=["登录 auth"])


def _user(a: Actor) -> dict:
    return {"username": a.username, "role": a.role.value, "role_name": ROLE_NAMES_ZH[a.role],
            "team": a.team, "display_name": a.display_name}


@router.post("/login", summary="登录，获取令牌 / log in")
def login(body: Login, request: Request, ctx=Depends(get_ctx)):
    token, actor = auth.login(ctx, body.username, body.password,
                              address=request.client.host if request.client else None)
    return {"token": token, "token_type": "bearer", "user": _user(actor)}


@router.post("/logout", summary="注销令牌 / log out")
def logout(actor: Actor = Depends(current_actor), creds: HTTPAuthorizationCredentials = Depends(bearer),
           ctx=Depends(get_ctx)):
    auth.logout(ctx, creds.credentials)
    return {"ok": True}


@router.get("/me", summary="当前用户 / who am I")
def me(actor: Actor = Depends(current_actor)):
    return _user(actor)
