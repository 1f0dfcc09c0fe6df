"""The car a visit used: what the police will ask for, told the same way everywhere.

A car given for the visit (`visit out --vehicle REG --vehicle-make --vehicle-colour`, or typed on the
sign-out form) is the car used; otherwise the first member of the visit with a car of their own
on record. Alerts, the alarm view, the post-visit report and the export all ask this module, so
none of them says "Vehicle:" blank when a member's own car was used. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Car:
    reg: str = ""
    make: str = ""  # make and model
    colour: str = ""
    owner: str = ""  # the member whose own car it is; "" for a car given for the visit

    def __bool__(self) -> bool:
        return bool(self.reg or self.make or self.colour)

    @property
    def text(self) -> str:
        """"AB12 CDE blue Ford Fiesta": registration, then what it looks like."""
        return " ".join(x for x in (self.reg, self.colour, self.make) if x)

    @property
    def described(self) -> str:
        """The text, saying whose car it is when it is a member's own ("... (Ann Lee's own car)")."""
        if not self:
            return ""
        return f"{self.text} ({self.owner}'s own car)" if self.owner else self.text


def car_used(visit_car: Car, members: Iterable[tuple[str, Car]]) -> Car:
    """The visit's car if one was given, else the first member's own car (named), else no car.
    `members`: (name, their car on record) in the order they were signed out."""
    if visit_car:
        return Car(visit_car.reg, visit_car.make, visit_car.colour)
    for name, car in members:
        if car:
            return Car(car.reg, car.make, car.colour, owner=name)
    return Car()
