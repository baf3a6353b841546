"""Forms of the notes pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.models import REPORT_REASONS
from app.services.social.engagement import MAX_BOARD_NAME, MAX_COMMENT, MAX_REPORT_DETAILS
from app.services.social.notes import MAX_BODY, MAX_IMAGES, MAX_TITLE
from app.web.forms import select_choices

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp"]


class TagRowForm(Form):
    """One product pin: which product, on which image, where (percent across and down)."""

    product_id = SelectField(_l("Product"), coerce=str, validate_choice=False,
                             validators=[Optional()])
    other_product_id = IntegerField(_l("…or product number"), validators=[Optional()])
    image = IntegerField(_l("Image number"), default=1, validators=[
        Optional(), NumberRange(min=1, max=MAX_IMAGES)])
    x = FloatField(_l("Across (%)"), default=50, validators=[Optional()])
    y = FloatField(_l("Down (%)"), default=50, validators=[Optional()])


class NoteForm(FlaskForm):
    """Compose or edit a note."""

    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the note a title.")), Length(max=MAX_TITLE)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=MAX_BODY)])
    images = MultipleFileField(_l("Images"), validators=[
        FileAllowed(IMAGE_TYPES, _l("Upload JPEG, PNG or WebP images."))])
    cover_index = IntegerField(_l("Cover image number"), default=1, validators=[
        Optional(), NumberRange(min=1, max=MAX_IMAGES)])
    # Rows of product pins; a script may instead send them as JSON in `tags_json`.
    tags = FieldList(FormField(TagRowForm), min_entries=3, max_entries=9)
    tags_json = HiddenField()
    question_to = SelectField(_l("Ask the other side"), choices=select_choices([
        ("", _l("Not a question")), ("china", _l("Ask China")), ("abroad", _l("Ask abroad"))]),
        default="", validators=[Optional()])
    publish = SubmitField(_l("Publish"))
    save_draft = SubmitField(_l("Save as draft"))


class CommentForm(FlaskForm):
    """A comment, or a reply when `parent_id` is set."""

    body = TextAreaField(_l("Comment"), validators=[
        DataRequired(_l("Write something first.")), Length(max=MAX_COMMENT)])
    parent_id = HiddenField()


class ReportForm(FlaskForm):
    """Why something should be looked at by a moderator."""

    reason = SelectField(_l("Reason"), choices=select_choices(zip(REPORT_REASONS, [
        _l("Spam"), _l("Counterfeit goods"), _l("Offensive content"), _l("Misleading"),
        _l("Something else")], strict=True)), validators=[DataRequired()])
    details = TextAreaField(_l("Details (optional)"), validators=[
        Optional(), Length(max=MAX_REPORT_DETAILS)])


class CollectForm(FlaskForm):
    """Save a note into a board: an existing one, or a new one by name."""

    # Any of the viewer's boards: the service checks ownership, so choices are not enforced.
    board_id = SelectField(_l("Board"), coerce=str, validators=[Optional()],
                           validate_choice=False)
    new_board = StringField(_l("Or a new board"), validators=[
        Optional(), Length(max=MAX_BOARD_NAME)])
    new_board_private = BooleanField(_l("Private"), default=True)


class BoardForm(FlaskForm):
    """Create a board."""

    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Name the board.")), Length(max=MAX_BOARD_NAME)])
    is_private = BooleanField(_l("Private (only you can see it)"), default=True)


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token is all it carries."""

    next = HiddenField()


class AppealForm(FlaskForm):
    """The author's appeal of a moderation decision."""

    statement = TextAreaField(_l("Why should we look again?"),
                              validators=[Optional(), Length(max=2000)])


class CoauthorInviteForm(FlaskForm):
    """Invite a creator, by their @handle, to co-author a draft."""

    handle = StringField(_l("Creator's @handle"), validators=[
        DataRequired(_l("Enter the @handle of the creator to invite.")), Length(max=80)])


class ContributionForm(FlaskForm):
    """The co-author's part of a co-created note: their title, text and images."""

    title = StringField(_l("Your title"), validators=[Optional(), Length(max=MAX_TITLE)])
    body = TextAreaField(_l("Your text"), validators=[Optional(), Length(max=MAX_BODY)])
    images = MultipleFileField(_l("Your images (replace the ones you added)"), validators=[
        FileAllowed(IMAGE_TYPES, _l("Upload JPEG, PNG or WebP images."))])


class TopicPickForm(FlaskForm):
    """The topics a new person starts Discover with (checked by the interests service)."""

    # Not checked against the choices here: the service says what is wrong, in the
    # viewer's language.
    topics = SelectMultipleField(_l("Topics"), validate_choice=False)
