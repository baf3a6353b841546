"""Public profile: display name, avatar, bio, home country, languages."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.transaction import screen_after_commit
from app.models import User
from app.providers.media import media_storage
from app.services.errors import ValidationFailed
from app.services.images import process_image
from app.services.regions import is_country

PROFILE_LANGUAGES = {"en": "English", "zh": "中文", "ja": "日本語", "ko": "한국어",
                     "fr": "Français", "de": "Deutsch", "es": "Español"}
MAX_BIO = 500
AVATAR_MAX_BYTES = 5 * 1024 * 1024


def update_profile(
    user: User,
    *,
    display_name: str,
    bio: str,
    home_country: str | None,
    languages: list[str],
    avatar: bytes | None = None,
) -> None:
    """Validate and apply profile changes; a new avatar goes through the image pipeline."""
    errors: dict[str, list[str]] = {}
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = [_("Enter the name other people will see.")]
    elif len(display_name) > 80:
        errors["display_name"] = [_("Use at most 80 characters.")]
    bio = (bio or "").strip()
    if len(bio) > MAX_BIO:
        errors["bio"] = [_("Use at most %(n)d characters.", n=MAX_BIO)]
    home_country = (home_country or "").strip().upper() or None
    if home_country and not is_country(home_country):
        errors["home_country"] = [_("Choose a country from the list.")]
    unknown = [code for code in languages if code not in PROFILE_LANGUAGES]
    if unknown:
        errors["languages"] = [_("Unknown language: %(codes)s.", codes=", ".join(unknown))]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)

    if avatar:
        stored = process_image(avatar, field="avatar", prefix=f"avatars/{user.id}",
                               renditions={"256": 256}, max_bytes=AVATAR_MAX_BYTES)
        old = user.avatar_path
        user.avatar_path = stored.keys["256"]
        if old:
            media_storage().delete(old)
    if display_name != user.display_name or bio != user.bio or avatar:
        screen_after_commit("profile", user)
    user.display_name = display_name
    user.bio = bio
    user.home_country = home_country
    user.languages = sorted(set(languages))
