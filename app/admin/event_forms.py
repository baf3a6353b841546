"""The community team's event form; date-times are on the viewer's clock."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.services.social.events import MAX_PRIZES, MAX_PROMPT, MAX_RULES, MAX_TITLE, EventInput
from app.web.times import from_viewer_clock

DATE_TIME = "%Y-%m-%dT%H:%M"


class EventForm(FlaskForm):
    """Create or edit an event: both languages, a topic, a window, rules, prizes, sponsor."""

    title_en = StringField(_l("Title in English"), validators=[
        DataRequired(_l("Give the event an English title.")), Length(max=MAX_TITLE)])
    title_zh = StringField(_l("Title in Chinese"), validators=[
        DataRequired(_l("Give the event a Chinese title.")), Length(max=MAX_TITLE)])
    prompt_en = TextAreaField(_l("Prompt in English"), validators=[
        DataRequired(_l("Write the prompt in English.")), Length(max=MAX_PROMPT)])
    prompt_zh = TextAreaField(_l("Prompt in Chinese"), validators=[
        DataRequired(_l("Write the prompt in Chinese.")), Length(max=MAX_PROMPT)])
    topic = StringField(_l("Topic"), validators=[DataRequired(_l("Enter the event's topic.")),
                                                 Length(max=41)])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATE_TIME,
                                   validators=[DataRequired(_l("Choose when it starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATE_TIME,
                                 validators=[DataRequired(_l("Choose when it ends."))])
    rules = TextAreaField(_l("Rules"), validators=[DataRequired(_l("Write the rules.")),
                                                   Length(max=MAX_RULES)])
    prizes = TextAreaField(_l("Prizes (optional)"), validators=[Optional(),
                                                                Length(max=MAX_PRIZES)])
    sponsor_id = SelectField(_l("Sponsoring brand (optional)"), coerce=int,
                             validate_choice=False)

    def as_input(self) -> EventInput:
        """What the events service reads; times converted from the viewer's clock to UTC."""
        return EventInput(
            title_en=self.title_en.data, title_zh=self.title_zh.data,
            prompt_en=self.prompt_en.data, prompt_zh=self.prompt_zh.data,
            topic=self.topic.data, rules=self.rules.data, prizes=self.prizes.data or "",
            starts_at=from_viewer_clock(self.starts_at.data) if self.starts_at.data else None,
            ends_at=from_viewer_clock(self.ends_at.data) if self.ends_at.data else None,
            sponsor_id=self.sponsor_id.data or None)
