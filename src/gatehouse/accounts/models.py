"""People: users, staff roles per school, parent membership, join requests and restrictions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin site only; not a school role
    date_joined = models.DateTimeField(default=timezone.now)
    # Employed by the trust or local authority rather than the school: their incident reports
    # go to the Head of HR instead of the head teacher (policy). Set by an administrator.
    centrally_employed = models.BooleanField(default=False)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def roles_at(self, school_id: int) -> set[str]:
        from gatehouse.accounts import access

        return set(access.for_user(self).roles.get(school_id, ()))

    def is_staff_anywhere(self) -> bool:
        from gatehouse.accounts import access

        return bool(access.for_user(self).roles)


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    POSTER = "poster", "Authorised to post"
    MODERATOR = "moderator", "Moderator"
    LEADERSHIP = "leadership", "Leadership"
    HEAD_TEACHER = "head_teacher", "Head teacher"
    HEAD_OF_HR = "head_of_hr", "Head of HR"
    DSL = "dsl", "Designated safeguarding lead"
    GOVERNOR = "governor", "Governor"
    STAFF = "staff", "Staff"


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="one_role_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Membership(models.Model):
    """A parent's place in one school's group, created when a join request is approved."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="members")
    join_request = models.OneToOneField(
        "JoinRequest", null=True, on_delete=models.SET_NULL, related_name="membership"
    )
    child_name = models.CharField(max_length=150)
    child_year = models.CharField(max_length=30)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="one_membership_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.school}"

    def active_restriction(self, now: dt.datetime | None = None) -> Restriction | None:
        """The restriction in force (a removal before read-only). A membership from
        accounts.access has its restrictions not yet lifted with it: no query."""
        if "not_lifted" not in self.__dict__:
            return Restriction.objects.in_force(now).filter(membership=self).order_by(
                "kind", "pk").first()
        now = now or timezone.now()
        return next((r for r in self.not_lifted  # ordered by kind, then pk
                     if r.starts_at <= now and (r.ends_at is None or r.ends_at > now)), None)


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    full_name = models.CharField(max_length=150)
    email = models.EmailField()
    date_of_birth = models.DateField()
    child_name = models.CharField(max_length=150)
    child_year = models.CharField(max_length=30)
    security_answer = models.CharField(max_length=200)
    answer_matches = models.BooleanField()
    rules_version = models.ForeignKey("schools.SchoolDocument", on_delete=models.PROTECT,
                                      related_name="+")
    hsa_version = models.ForeignKey("schools.SchoolDocument", on_delete=models.PROTECT,
                                    related_name="+")
    # The password the parent chose, hashed; moved to their account on approval, wiped on decline.
    password_hash = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "email"],
                condition=Q(status="pending"),
                name="one_pending_request_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}> → {self.school}"


class RestrictionQuerySet(models.QuerySet["Restriction"]):
    def in_force(self, now: dt.datetime | None = None) -> RestrictionQuerySet:
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True, starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )


class Restriction(models.Model):
    class Kind(models.TextChoices):
        # Ordered so that "removed" sorts first: it is the stronger restriction.
        REMOVED = "a_removed", "Removed from the group"
        READ_ONLY = "b_read_only", "Read-only (cannot comment)"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="restrictions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField()
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    objects = RestrictionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.membership}"

    @property
    def is_removal(self) -> bool:
        return self.kind == self.Kind.REMOVED
