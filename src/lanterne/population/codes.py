"""Integer codes of the generator's category columns, in the order of ``plan.CATEGORIES``.

Example:
    >>> from lanterne.population.plan import CATEGORIES
    >>> CATEGORIES["housing_status"][OWNER]
    'owner'
"""

from __future__ import annotations

SINGLE, COUPLE, SINGLE_PARENT, COUPLE_CHILDREN = 0, 1, 2, 3
EMPLOYED, SELF_EMPLOYED, UNEMPLOYED, INACTIVE, STUDENT, APPRENTICE, RETIRED = range(7)
P_NONE, P_EMPLOYED, P_SELF, P_UNEMPLOYED, P_INACTIVE, P_STUDENT, P_APPRENTICE, P_RETIRED = range(8)
SOCIAL, PRIVATE, OWNER, HOSTED = range(4)
C_NONE, C_UNDER_16, C_PUPIL, C_STUDENT, C_APPRENTICE, C_EMPLOYED, C_NO_ACTIVITY = range(7)
FEMALE, MALE = 0, 1
FRENCH, EU, NON_EU = 0, 1, 2
#: Not drawn yet (activity codes are filled stage by stage).
UNSET = 255
