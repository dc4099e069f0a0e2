"""The parents' feed, commenting, and staff posting."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gatehouse.accounts import access
from gatehouse.accounts.dashboard import due_for
from gatehouse.accounts.models import Membership, Restriction, Role, User
from gatehouse.accounts.permissions import (
    POSTING_ROLES,
    access_membership,
    access_school,
    check_not_removed,
    staff_view,
)
from gatehouse.community import actions, feedcache
from gatehouse.community.forms import CommentForm, PostForm
from gatehouse.community.models import Comment, Post
from gatehouse.consent.feed import feed_posts
from gatehouse.lib.ratelimit import RateLimited, check_rate
from gatehouse.schools.models import School, SchoolDocument

POSTS_PER_PAGE = 10
COMMENTS_SHOWN = 5  # per post in the feed; "show all" loads the rest
COMMENT_NOTICES = {
    Comment.Status.HELD: "Thank you. Your comment is awaiting review by a moderator before "
                         "others can see it.",
    Comment.Status.HIDDEN: "Your comment was not posted because it contains words the school's "
                           "group rules do not allow.",
}

# A parent reporting harm to their child (design invariant 10): not a breach, so no talk of
# moderators; say who has it and what to do if a child is in danger now.
CONCERN_NOTICE = ("Thank you for telling us. This has not been posted in the group: it has been "
                  "passed privately to the school's designated safeguarding lead, who will "
                  "contact you. If a child is in immediate danger, call 999.")


def _is_concern(comment: Comment) -> bool:
    item = getattr(comment, "queue_item", None)  # None until the check has run
    return comment.status == Comment.Status.HELD and item is not None and item.kind == "concern"


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "community/welcome.html",
                      {"schools": School.objects.order_by("name")})
    staff_school_ids = request.user.staff_roles.values_list("school_id", flat=True)
    member_school_ids = request.user.memberships.values_list("school_id", flat=True)
    schools = School.objects.filter(pk__in=[*staff_school_ids, *member_school_ids]).order_by(
        "name")
    if len(schools) == 1:
        return redirect("feed", slug=schools[0].slug)
    return render(request, "community/welcome.html", {"schools": schools, "mine": True})


def _feed_posts(user: User | None, school: School) -> QuerySet[Post]:
    """The posts this person may see, each with its comment count and latest comments (with
    no user: the visible comments only, what every parent sees alike)."""
    seen = (Comment.objects.seen_by(user) if user is not None
            else Comment.objects.filter(status=Comment.Status.VISIBLE))
    # Shared pages go into the cache (Redis): no password hashes in them, and no queue items
    # (only held comments, never in a shared page, show theirs).
    latest = (seen.select_related("author", *(["queue_item"] if user is not None else []))
              .defer("author__password").order_by("-created_at", "-pk")[:COMMENTS_SHOWN])
    # A correlated subquery rather than a JOIN + GROUP BY: the database counts comments for
    # the page of posts it returns, not for every post before the LIMIT.
    count = (seen.filter(post=OuterRef("pk")).order_by().values("post")
             .annotate(n=Count("pk")).values("n"))
    return feed_posts(
        Post.objects.filter(school=school)
        .select_related("author").defer("author__password")
        .annotate(comment_count=Coalesce(Subquery(count), 0))
        .prefetch_related(Prefetch("comments", queryset=latest, to_attr="latest_comments"))
        .order_by("-created_at", "-pk")
    )


def _with_every_comment(post: Post, user: User) -> Post:
    """Attach every comment this person may see on the post, oldest first."""
    post.shown_comments = list(Comment.objects.seen_by(user).filter(post=post)
                               .select_related("author", "queue_item"))
    post.comment_count = len(post.shown_comments)
    return post


def _feed_context(request: HttpRequest, school: School, membership: Membership | None,
                  restriction: Restriction | None) -> dict[str, object]:
    raw = request.GET.get("page") or "1"
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1

    def build() -> tuple[int, int, list[Post]]:
        shared = Paginator(_feed_posts(None, school), POSTS_PER_PAGE).get_page(number)
        return shared.paginator.count, shared.start_index() - 1, list(shared)

    version = feedcache.feed_version(school.pk)
    count, start, posts = feedcache.cached_page(school.pk, version, number, build)
    feedcache.merge_own_held(posts, request.user, COMMENTS_SHOWN,
                             any_held=school.pk in access.for_user(request.user).held_at)
    page = Paginator(feedcache.CachedPosts(count, start, posts), POSTS_PER_PAGE).get_page(number)
    for post in page:
        post.shown_comments = post.latest_comments[::-1]  # oldest first under the post
    roles = request.user.roles_at(school.pk)
    can_post = bool(roles & POSTING_ROLES)
    panel = _attach_shared_html(request, school, version, list(page),
                                whole_cards=restriction is None and not can_post)
    return {
        "school": school,
        "page": page,
        "membership": membership,
        "restriction": restriction,
        "school_panel": panel,
        "can_post": can_post,
        "comment_form": CommentForm(),
    }


def _csrf_mark() -> str:
    """Stands for the viewer's CSRF token in cached post cards (replaced per request);
    derived from SECRET_KEY, so no one can type it into a comment."""
    return "csrf" + salted_hmac("gatehouse.feed.csrf-mark", "mark").hexdigest()[:24]


def _attach_shared_html(request: HttpRequest, school: School, version: str | None,
                        posts: list[Post], whole_cards: bool) -> str:
    """What is the same for every parent comes rendered from the school's feed cache: the
    panel of pinned group rules and contact details (returned), and for each post either the
    whole card (`card_html`: when nothing on it is the viewer's own and the viewer may comment
    and not post; the CSRF token is put in per request) or its body and, when none of its
    comments is the viewer's own, its comment list."""
    user = request.user
    mark = _csrf_mark()
    renders = {"panel": partial(_school_panel, school)}
    for post in posts:
        own = post.has_own_held or any(c.author_id == user.pk for c in post.shown_comments)
        shared = {"post": post, "school": school, "user": AnonymousUser()}
        if whole_cards and not own:
            renders[f"a{post.pk}"] = partial(render_to_string, "community/_post.html",
                                             {**shared, "csrf_token": mark})
            continue
        renders[f"b{post.pk}"] = partial(render_to_string, "community/_post_body.html", shared)
        if not own:
            renders[f"c{post.pk}"] = partial(render_to_string, "community/_comment_list.html",
                                             shared)
    html = feedcache.cached_fragments(school.pk, version, renders)
    token = get_token(request)
    for post in posts:
        card = html.get(f"a{post.pk}")
        post.card_html = mark_safe(card.replace(mark, token)) if card else None  # noqa: S308
        post.body_html, post.comments_html = html.get(f"b{post.pk}"), html.get(f"c{post.pk}")
    return html["panel"]


def _school_panel(school: School) -> str:
    return render_to_string("community/_school_panel.html", {
        "school": school, "rules": school.current_document(SchoolDocument.Kind.GROUP_RULES)})


@login_required
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    school = access_school(slug)
    membership = access_membership(request.user, school)
    try:
        restriction = check_not_removed(membership)
    except PermissionDenied:
        return render(request, "community/removed.html", {
            "school": school, "restriction": membership.active_restriction()}, status=403)
    return render(request, "community/feed.html",
                  _feed_context(request, school, membership, restriction))


def rules(request: HttpRequest, slug: str) -> HttpResponse:
    school = access_school(slug)
    return render(request, "community/rules.html", {
        "school": school,
        "rules": school.current_document(SchoolDocument.Kind.GROUP_RULES),
        "hsa": school.current_document(SchoolDocument.Kind.HOME_SCHOOL_AGREEMENT),
    })


@login_required
def all_comments(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Every comment on one post (the feed shows the latest few)."""
    school = access_school(slug)
    membership = access_membership(request.user, school)
    check_not_removed(membership)
    post = _with_every_comment(get_object_or_404(_feed_posts(request.user, school), pk=post_id),
                               request.user)
    context = {"post": post, "school": school, "comment_form": CommentForm(),
               "membership": membership,
               "restriction": membership.active_restriction() if membership else None,
               "can_post": bool(request.user.roles_at(school.pk) & POSTING_ROLES)}
    if request.htmx:
        return render(request, "community/_comments.html", context)
    return render(request, "community/post_detail.html", context)


@login_required
@require_POST
def add_comment(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    school = access_school(slug)
    membership = access_membership(request.user, school)
    check_not_removed(membership)
    # Only posts the feed may still show: a post hidden after consent was withdrawn takes no
    # new comments either.
    post = get_object_or_404(feed_posts(Post.objects.filter(school=school)), pk=post_id)
    form = CommentForm(request.POST)
    error = notice = ""
    status = 200
    if form.is_valid():
        try:
            check_rate(request, "comment")
            comment = actions.do_add_comment(post, author=request.user, membership=membership,
                                             body=form.cleaned_data["body"])
        except RateLimited as exc:
            error, status = str(exc), 429
        except PermissionDenied as exc:
            error, status = str(exc), 400
        else:
            notice = (CONCERN_NOTICE if _is_concern(comment)
                      else COMMENT_NOTICES.get(comment.status, ""))
    else:
        error, status = " ".join(form.errors["body"]), 400
    if request.htmx:
        _with_every_comment(post, request.user)
        return render(request, "community/_comments.html", {
            "post": post, "school": school, "comment_form": form if error else CommentForm(),
            "comment_error": error, "comment_notice": notice, "restriction": None,
        }, status=status)
    if error:
        messages.error(request, error)
    elif notice:
        messages.info(request, notice)
    return redirect(f"{school_feed_url(school)}#post-{post.pk}")


def school_feed_url(school: School) -> str:
    return reverse("feed", kwargs={"slug": school.slug})


@staff_view(*Role.values)
def staff_home(request: HttpRequest, school: School) -> HttpResponse:
    roles = request.user.roles_at(school.pk)
    return render(request, "community/staff_home.html", {
        "school": school, "roles": [Role(r).label for r in sorted(roles)],
        "due": due_for(request.user, school),
    })


@staff_view(Role.ADMINISTRATOR, Role.POSTER)
def post_new(request: HttpRequest, school: School) -> HttpResponse:
    """A quick text post for the parents' group. It goes through `publishing` like every
    post: out at once if the school lets text-only group posts skip agreement, else to
    leadership to agree."""
    from gatehouse.publishing.actions import do_quick_group_post

    form = PostForm(request.POST or None, initial={"comments_enabled": True})
    if request.method == "POST" and form.is_valid():
        sent = do_quick_group_post(school, actor=request.user, data=form.cleaned_data)
        delivery = sent.deliveries.first()
        if delivery is None:
            messages.success(request, "Sent to leadership to agree before it is published.")
            return redirect("staff:publishing_post", slug=school.slug, pk=sent.pk)
        delivery.refresh_from_db()  # without a broker it has gone out already
        if delivery.community_post_id:
            messages.success(request, "Your post is on the parents' feed.")
            return redirect(f"{school_feed_url(school)}#post-{delivery.community_post_id}")
        messages.success(request, "Your post is going out now.")
        return redirect(school_feed_url(school))
    return render(request, "community/post_new.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


@staff_view(Role.ADMINISTRATOR, Role.POSTER)
@require_POST
def toggle_comments(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, school=school)
    enabled = request.POST.get("enabled") == "1"
    actions.do_set_comments_enabled(post, actor=request.user, enabled=enabled)
    messages.success(request, "Comments are on." if enabled else "Comments are turned off.")
    return redirect(f"{school_feed_url(school)}#post-{post.pk}")
