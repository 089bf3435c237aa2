"""Stage 3, activity of the head and the partner, coherent with the benefits drawn.

The activity bonus needs someone at work; the RSA goes mostly to people out of work, with
the share of active recipients its target asks for; the AAH has its share of employed
recipients; the others get an activity by age. The shares are catalog numbers
``activity.*`` (cumulative: ``[0.55, 0.67, 0.85]`` reads 55 % employed, 12 % apprentices,
18 % unemployed, the rest inactive).

Example:
    >>> from lanterne.population.plan import make_plan
    >>> from lanterne.population.targets import load_targets
    >>> from lanterne.population.stages.people import draw_people
    >>> from lanterne.population.stages.benefits import draw_benefits
    >>> plan, d, rng = make_plan(load_targets("fr-caf-2023")), {}, np.random.default_rng(1)
    >>> for stage in (draw_people, draw_benefits, draw_activity): stage(rng, 2000, d, plan)
    >>> bool(d["head_works"][d["ppa"]].mean() > 0.8), int((d["head"] == c.UNSET).sum())
    (True, 0)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lanterne.population import codes as c
from lanterne.population.plan import Plan
from lanterne.population.sampling import choose_share

Array = NDArray


def _cumulative(u: Array, thresholds: list[float], outcomes: list[int], rest: int) -> Array:
    """The outcome of the first cumulative threshold ``u`` falls under, else ``rest``."""
    return np.select([u < x for x in thresholds], outcomes, rest)


def _share_with_work(target: float, flag: Array, ppa: Array) -> float:
    """Share of the out-of-work ``flag`` households to put in the active group so that the
    whole group reaches ``target`` (those with the activity bonus already work)."""
    with_work = float((flag & ppa).sum()) / max(int(flag.sum()), 1)
    return float(np.clip((target - with_work) / max(1 - with_work, 1e-9), 0, 1))


def draw_activity(rng: np.random.Generator, n: int, d: dict[str, Array], plan: Plan) -> None:
    """``head`` and ``partner`` activity codes, ``head_works`` and ``partner_works``."""
    num, t = plan.numbers, plan
    family, age, rsa, aah, ppa = d["family"], d["head_age"], d["rsa"], d["aah"], d["ppa"]
    partnered = (family == c.FAMILY["couple"]) | (family == c.FAMILY["couple_children"])
    head = np.full(n, c.UNSET, dtype=np.uint8)
    partner = np.where(partnered, c.UNSET, c.PARTNER["no_partner"]).astype(np.uint8)
    head[d["student"]] = c.HEAD["student"]

    w = num.value("activity.ppa_workers")
    head_works_for_ppa = ppa & (~partnered | rsa | aah | (rng.random(n) < w["head_in_couples"]))
    m = int(head_works_for_ppa.sum())
    head[head_works_for_ppa] = np.where(
        rng.random(m) < w["self_employed"], c.HEAD["self_employed"], c.HEAD["employed"]
    )
    partner_works_for_ppa = ppa & ~head_works_for_ppa
    m = int(partner_works_for_ppa.sum())
    head[partner_works_for_ppa] = np.where(
        rng.random(m) < w["head_unemployed_if_partner_works"],
        c.HEAD["unemployed"],
        c.HEAD["inactive"],
    )
    partner[partner_works_for_ppa] = c.PARTNER["employed"]

    out_of_work = rsa & ~ppa
    share = _share_with_work(t["rsa-active"], rsa, ppa)
    unemployed = choose_share(rng, np.ones(n), share, out_of_work)
    head[out_of_work] = np.where(unemployed[out_of_work], c.HEAD["unemployed"], c.HEAD["inactive"])
    aah_only = aah & ~ppa
    working = choose_share(rng, np.ones(n), _share_with_work(t["aah-employed"], aah, ppa), aah_only)
    head[aah_only] = np.where(working[aah_only], c.HEAD["employed"], c.HEAD["inactive"])

    w = num.value("activity.head_by_age")
    rest = head == c.UNSET
    u = rng.random(n)
    old = age >= w["retired_from_age"]
    near = (age >= w["near_retirement_from_age"]) & ~old
    young = age < w["young_under_age"]
    sel = rest & old
    head[sel] = np.where(u[sel] < w["old"][0], c.HEAD["retired"], c.HEAD["inactive"])
    sel = rest & near
    head[sel] = _cumulative(
        u[sel],
        w["near_retirement"],
        [c.HEAD["retired"], c.HEAD["employed"], c.HEAD["unemployed"]],
        c.HEAD["inactive"],
    )
    sel = rest & young
    head[sel] = _cumulative(
        u[sel],
        w["young"],
        [c.HEAD["employed"], c.HEAD["apprentice"], c.HEAD["unemployed"]],
        c.HEAD["inactive"],
    )
    sel = rest & ~old & ~near & ~young
    head[sel] = _cumulative(
        u[sel],
        w["others"],
        [c.HEAD["employed"], c.HEAD["self_employed"], c.HEAD["unemployed"]],
        c.HEAD["inactive"],
    )

    w = num.value("activity.partner")
    todo = partner == c.UNSET
    v = rng.random(n)
    sel = todo & rsa
    partner[sel] = _cumulative(
        v[sel], w["on_rsa"], [c.PARTNER["employed"], c.PARTNER["unemployed"]], c.PARTNER["inactive"]
    )
    older = age >= w["older_from_age"]
    sel = todo & ~rsa & older
    partner[sel] = _cumulative(
        v[sel], w["older"], [c.PARTNER["retired"], c.PARTNER["employed"]], c.PARTNER["inactive"]
    )
    sel = todo & ~rsa & ~older
    partner[sel] = _cumulative(
        v[sel],
        w["younger"],
        [
            c.PARTNER["employed"],
            c.PARTNER["self_employed"],
            c.PARTNER["unemployed"],
            c.PARTNER["inactive"],
            c.PARTNER["student"],
        ],
        c.PARTNER["apprentice"],
    )
    d.update(
        head=head,
        partner=partner,
        partnered=partnered,
        head_works=np.isin(
            head, [c.HEAD["employed"], c.HEAD["self_employed"], c.HEAD["apprentice"]]
        ),
        partner_works=np.isin(
            partner, [c.PARTNER["employed"], c.PARTNER["self_employed"], c.PARTNER["apprentice"]]
        ),
    )
