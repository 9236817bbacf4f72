"""Demo pairing: 沁水县 paired and approved (one pairing ended, one paused, three proposals in 龙港镇 left
for the workspace); 泽州县 proposals awaiting review."""

from backend.regions.models import Region
from pairing.models import Pairing, PairingRun
from pairing.services import (
    pairing_end,
    pairing_pause,
    pairing_run_execute,
    pairing_run_start,
    proposals_approve_bulk,
)

LEFT_WAITING_IN = "140521100"  # 龙港镇


def _run(user, programme, code: str) -> PairingRun:
    run = pairing_run_start(user=user, programme=programme, region=Region.objects.get(code=code))
    # Solved here rather than on the worker, so that `make run` starts with the result.
    return pairing_run_execute(run_id=run.pk)


def seed(context) -> None:
    programme = context.objects["programme"]
    if PairingRun.objects.filter(programme=programme).exists():
        return
    qinshui = context.objects["user:qinshui"]
    zezhou = context.objects["user:zezhou"]

    run = _run(qinshui, programme, "140521")
    proposals = list(run.proposals.order_by("id"))
    # Three proposals in 龙港镇 are left waiting: something to approve, reject or change in the workspace.
    left = [p for p in proposals if p.child.village_id.startswith(LEFT_WAITING_IN)][-3:]
    result = proposals_approve_bulk(proposals=[p for p in proposals if p not in left], user=qinshui)
    pairings = list(Pairing.objects.filter(proposal__run=run).order_by("id"))
    if len(pairings) > 2:
        pairing_end(pairing=pairings[0], user=qinshui, reason=Pairing.EndReason.MOVED, note="爱心妈妈随子女迁居太原")
        pairing_pause(pairing=pairings[1], user=qinshui, note="爱心妈妈住院治疗，暂停三个月")

    waiting = _run(zezhou, programme, "140525")
    context.notes.append(
        f"结对演示 / pairing demo: 沁水县 {len(result['approved'])} pairings approved, {len(left)} proposals waiting; "
        f"泽州县 {waiting.proposals.count()} proposals awaiting review (run #{waiting.pk})"
    )
