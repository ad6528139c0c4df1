"""Classification models (/ui/classify): the learning loop the team runs — the model in use and every
version with its holdout figures, the corrections recorded since the model in use was trained, the
labelling queue (complaints the classifier left to a person), training a new version from the corrections
and switching versions (back to the day-one rules included). The same service functions as
`xiaobao classify train|models|activate` and `/classify/models`; training and switching are audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from xiaobao.services.classify import classification
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.web.list_params import list_params
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import get_ctx, requires

router = APIRouter(prefix="/ui/classify")
TRAIN = requires("classify.train")
NAV = [NavItem("classify.nav", "/ui/classify", "classify.train", 65)]


@router.get("")
def models_page(request: Request, actor: Actor = Depends(TRAIN), ctx: Context = Depends(get_ctx)):
    status = classification.learning_status(ctx)
    return page(request, "classify/models.html", s=status, done=request.query_params.get("done"),
                queue_url=f"/ui/workbench?{list_params(**status['queue_params'])}")


@router.post("/train")
def train(actor: Actor = Depends(TRAIN), ctx: Context = Depends(get_ctx)):
    made = classification.train(ctx, actor)
    done = "trained" if made["active"] else "kept"
    return Response(status_code=200, headers={"HX-Redirect": f"/ui/classify?done={done}&model={made['model_id']}"})


@router.post("/models/{model_id:int}/activate")
def activate(model_id: int, reason: str = Form("", max_length=2000), actor: Actor = Depends(TRAIN),
             ctx: Context = Depends(get_ctx)):
    classification.activate(ctx, actor, model_id or None, reason.strip())
    return Response(status_code=200, headers={"HX-Redirect": "/ui/classify?done=activated"})
