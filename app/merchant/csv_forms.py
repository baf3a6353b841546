"""Forms of the catalog CSV pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Form, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional


class UploadForm(FlaskForm):
    """Upload a CSV of products, variants and stock."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class StartImportForm(FlaskForm):
    """Import a checked file: every row, or (a file with errors) only its valid rows."""

    valid_rows_only = HiddenField(validators=[Optional(), AnyOf(["", "1"])])


class ExportForm(Form):
    """Choose the export's encoding (GET parameters: it changes nothing, so no CSRF token)."""

    encoding = SelectField(_l("Encoding"), choices=[
        SelectChoice("utf-8", _l("UTF-8 (Excel, Numbers, Google Sheets)")),
        SelectChoice("gbk", _l("GBK (older Chinese Excel)"))], default="utf-8")
