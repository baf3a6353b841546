"""Bilingual topics (moderators): link a hashtag to a topic's page, split a link again."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import TopicLinkForm, TopicSplitForm
from app.core.transaction import commit, rollback
from app.services.errors import DomainError
from app.services.social import topics
from app.web.forms import show_errors_on_form

PER_PAGE = 50


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


def _list(form: TopicLinkForm, status: int = 200):
    query = request.args.get("q", "").strip()[:41]
    page = _page()
    groups, has_more = topics.linked_groups(current_user, query=query, page=page,
                                            per_page=PER_PAGE)
    return render_template("admin/topics.html", form=form, groups=groups, query=query,
                           page=page, has_more=has_more, split_form=TopicSplitForm()), status


@bp.get("/topics", endpoint="topics")
def topic_links():
    """Linked topics, searchable by name, and the form that links two more."""
    return _list(TopicLinkForm(formdata=None))


@bp.post("/topics", endpoint="topic_link")
def link_topic():
    """Link a hashtag to a topic: both open one page with notes from both sides."""
    form = TopicLinkForm()
    if not form.validate_on_submit():
        return _list(form, 422)
    try:
        alias = topics.link_topics(current_user, form.topic.data, form.alias.data)
    except DomainError as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _list(form, exc.status if exc.status in (409, 422) else 422)
    canonical = alias.canonical.name
    commit()
    flash(_("#%(alias)s now opens the page of #%(topic)s.", alias=alias.name, topic=canonical),
          "success")
    return redirect(url_for("admin.topics"), code=303)


@bp.post("/topics/<name>/split", endpoint="topic_split")
def split_topic(name: str):
    """Give a linked hashtag its own page again."""
    if not TopicSplitForm().validate_on_submit():
        return redirect(url_for("admin.topics"), code=303)
    try:
        alias = topics.split_topic(current_user, name)
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.topics"), code=303)
    commit()
    flash(_("#%(alias)s has its own page again.", alias=alias.name), "success")
    return redirect(url_for("admin.topics"), code=303)
