"""Notes: posting with images, topics, language, drafts, editing, deleting, product tags."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core.transaction import commit
from app.extensions import db
from app.models import Note, NoteImage, NoteProductTag, NoteTopic, Topic
from app.services.errors import Forbidden, NotFound, ValidationFailed
from app.services.social import mentions, notes
from app.services.social.notes import ImageUpload
from app.services.social.product_tags import TagInput
from tests.catalog_factories import make_shop
from tests.notes_factories import image_bytes, uploads

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    return make_shop(make_org, make_user, currency="CNY", country="CN")


def note_count() -> int:
    return db.session.scalar(select(func.count(Note.id)))


def media_files(app) -> set[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def stored_image(app, key: str) -> Image.Image:
    return Image.open(Path(app.config["MEDIA_ROOT"]) / key)


# Posting ------------------------------------------------------------------------------------
def test_post_a_note_with_two_images(app, make_user):
    author = make_user(home_country="CN")
    note = notes.create_note(author, title="这支口红太好看了", body="颜色很正 #口红 #Beauty",
                             images=uploads(2), cover_index=1)
    db.session.commit()

    assert note.is_published and note.published_at is not None
    assert note.language == "zh"
    assert note.region == "CN"
    assert [i.position for i in note.images] == [0, 1]
    assert [i.is_cover for i in note.images] == [False, True]
    assert note.cover_image.position == 1
    for image in note.images:
        assert set(image.keys) == {"display", "thumb"}
        for key in image.keys.values():
            assert key.startswith(f"notes/{author.id}/") and key.endswith(".webp")
            assert stored_image(app, key).format == "WEBP"
    assert sorted(t.name for t in note.topics) == ["beauty", "口红"]
    assert db.session.scalar(select(Topic.note_count).where(Topic.name == "口红")) == 1


def test_language_is_detected_offline(make_user):
    author = make_user()
    english = notes.create_note(author, title="Lipsticks I love", body="Five shades for autumn",
                                images=uploads(1))
    french = notes.create_note(author, title="Mon rouge à lèvres préféré",
                               body="Une couleur magnifique pour l'automne", images=uploads(1))
    assert (english.language, french.language) == ("en", "fr")


def test_images_are_stripped_of_exif_and_turned_upright(app, make_user):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # camera make: must not survive
    data = image_bytes("JPEG", size=(80, 40), exif=exif.tobytes())
    note = notes.create_note(make_user(), title="Upright", body="",
                             images=[ImageUpload(data, "sideways.jpg")])
    image = note.images[0]
    assert (image.width, image.height) == (40, 80)
    stored = stored_image(app, image.keys["display"])
    assert stored.size == (40, 80)
    assert not stored.getexif()
    assert b"SecretCam" not in (Path(app.config["MEDIA_ROOT"]) / image.keys["display"]).read_bytes()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(make_user, fmt):
    note = notes.create_note(make_user(), title="Formats", body="",
                             images=[ImageUpload(image_bytes(fmt), f"x.{fmt.lower()}")])
    assert len(note.images) == 1


def test_a_draft_is_visible_only_to_its_author(make_user):
    author, stranger = make_user(), make_user()
    draft = notes.create_note(author, title="Not yet", body="", images=uploads(1),
                              publish=False)
    assert draft.status == "draft" and draft.published_at is None
    assert notes.get_note(author, draft.id).id == draft.id
    with pytest.raises(NotFound):
        notes.get_note(stranger, draft.id)
    with pytest.raises(NotFound):
        notes.get_note(None, draft.id)


def test_posting_needs_a_verified_email(app, make_user):
    before, files = note_count(), media_files(app)
    with pytest.raises(Forbidden) as info:
        notes.create_note(make_user(verified=False), title="Hello", body="",
                          images=uploads(1))
    assert info.value.code == "email_not_verified"
    assert note_count() == before and media_files(app) == files


# Bad input: a specific error, nothing written -------------------------------------------------
@pytest.mark.parametrize("count", [0, 10])
def test_zero_or_ten_images_are_refused(app, make_user, count):
    author = make_user()
    before, files = note_count(), media_files(app)
    with pytest.raises(ValidationFailed) as info:
        notes.create_note(author, title="Count", body="", images=uploads(count))
    assert info.value.code == "image_count"
    assert "between 1 and 9" in info.value.fields["images"][0]
    assert note_count() == before and media_files(app) == files


def test_a_non_image_renamed_jpg_is_refused_and_earlier_images_are_removed(app, make_user):
    author = make_user()
    files = media_files(app)
    fake = ImageUpload(b"%PDF-1.4 this is not a picture at all", "holiday.jpg")
    with pytest.raises(ValidationFailed) as info:
        notes.create_note(author, title="Bad", body="", images=[*uploads(1), fake])
    assert info.value.code == "invalid_image"
    assert info.value.fields["images"] == [
        "Image 2 (holiday.jpg): The file is not a JPEG, PNG or WebP image, or it is damaged."]
    db.session.rollback()
    assert note_count() == 0
    assert media_files(app) == files  # the first image's renditions were deleted again


def test_a_decompression_bomb_is_refused(app, make_user):
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, "PNG")  # tiny file, 144 megapixels
    files = media_files(app)
    with pytest.raises(ValidationFailed) as info:
        notes.create_note(make_user(), title="Bomb", body="",
                          images=[ImageUpload(buffer.getvalue(), "bomb.png")])
    assert info.value.code == "invalid_image"
    assert "too many pixels" in info.value.fields["images"][0]
    assert note_count() == 0 and media_files(app) == files


def test_title_is_required_and_bounded(make_user):
    with pytest.raises(ValidationFailed) as info:
        notes.create_note(make_user(), title="  ", body="x" * 2001, images=uploads(1))
    assert set(info.value.fields) == {"title", "body"}


def test_cover_index_must_point_at_an_image(make_user):
    with pytest.raises(ValidationFailed) as info:
        notes.create_note(make_user(), title="Cover", body="", images=uploads(2), cover_index=2)
    assert info.value.code == "invalid_cover"


# Editing and deleting ---------------------------------------------------------------------
def test_editing_someone_elses_note_is_refused(make_user, make_note):
    author, intruder = make_user(), make_user()
    note = make_note(author, "Original", "Body #tea")
    with pytest.raises(Forbidden) as info:
        notes.update_note(intruder, note.id, title="Hacked")
    assert info.value.code == "not_note_author"
    db.session.rollback()
    assert db.session.get(Note, note.id).title == "Original"
    with pytest.raises(Forbidden):
        notes.delete_note(intruder, note.id)


def test_the_author_edits_text_topics_and_status(make_user, make_note):
    author = make_user()
    note = make_note(author, "Green tea", "From Hangzhou #tea #green")
    notes.update_note(author, note.id, title="Longjing tea", body="Spring harvest #tea #longjing",
                      publish=False)
    db.session.commit()
    edited = db.session.get(Note, note.id)
    assert edited.title == "Longjing tea" and edited.status == "draft"
    assert sorted(t.name for t in edited.topics) == ["longjing", "tea"]
    counts = dict(db.session.execute(select(Topic.name, Topic.note_count)).all())
    assert counts["green"] == 0 and counts["tea"] == 1 and counts["longjing"] == 1


def test_new_images_replace_the_old_ones_and_old_files_go(app, make_user, make_note):
    author = make_user()
    note = make_note(author, images=2)
    old_keys = {k for i in note.images for k in i.keys.values()}
    assert old_keys <= media_files(app)
    notes.update_note(author, note.id, images=uploads(3), cover_index=2)
    commit()  # old files are removed after the commit
    edited = db.session.get(Note, note.id)
    assert len(edited.images) == 3 and edited.cover_image.position == 2
    assert not old_keys & media_files(app)


def test_the_author_deletes_a_note_with_its_images(app, make_user, make_note):
    author = make_user()
    note = make_note(author, body="#tea time")
    keys = {k for i in note.images for k in i.keys.values()}
    notes.delete_note(author, note.id)
    commit()
    assert db.session.get(Note, note.id) is None
    assert db.session.scalar(select(func.count(NoteImage.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(NoteTopic)) == 0
    assert db.session.scalar(select(Topic.note_count).where(Topic.name == "tea")) == 0
    assert not keys & media_files(app)


# Topics and mentions ------------------------------------------------------------------------
def test_topic_and_mention_parsing():
    text = "Try #Lipstick and #口红! Email me@example.com, ask @Mia_Shopper. C# is not a topic"
    assert notes.parse_topics(text) == ["lipstick", "口红"]
    assert mentions.parse_mentions(text) == ["Mia_Shopper"]
    assert notes.parse_topics("#tea #Tea #TEA") == ["tea"]


def test_mentions_resolve_by_display_name_without_spaces(make_user):
    mia = make_user(display_name="Mia Shopper")
    make_user(display_name="Someone Else")
    assert mentions.resolve_mentions("thanks @miashopper and @nobody") == [mia]


# Product tags -----------------------------------------------------------------------------
def test_tags_on_own_and_other_stores_products(make_user, shop, other_shop):
    mine = shop.add_product(skus=("TEE-1",))
    my_draft = shop.add_product(skus=("TEE-2",), status="draft")
    theirs = other_shop.add_product(skus=("MUG-1",))
    note = notes.create_note(shop.owner, title="Tagged", body="", images=uploads(2),
                             product_tags=[TagInput(0, 10, 20.5, mine.id),
                                           TagInput(1, 0, 100, my_draft.id),
                                           TagInput(1, 50, 50, theirs.id)])
    db.session.commit()
    tags = db.session.scalars(select(NoteProductTag).where(NoteProductTag.note_id == note.id)
                              .order_by(NoteProductTag.id)).all()
    assert [(t.image_position, t.x, t.y, t.is_affiliate) for t in tags] == [
        (0, 10.0, 20.5, False), (1, 0.0, 100.0, False), (1, 50.0, 50.0, True)]


@pytest.mark.parametrize("case", ["no_image", "x_outside", "y_negative", "archived",
                                  "other_draft", "missing", "not_a_number"])
def test_bad_tags_are_refused_and_nothing_is_written(app, make_user, shop, other_shop,
                                                     case):
    active = other_shop.add_product(skus=("MUG-1",))
    archived = other_shop.add_product(skus=("MUG-2",))
    archived.status = "archived"
    draft = other_shop.add_product(skus=("MUG-3",), status="draft")
    db.session.commit()
    tag = {
        "no_image": TagInput(2, 10, 10, active.id),
        "x_outside": TagInput(0, 100.5, 10, active.id),
        "y_negative": TagInput(0, 10, -1, active.id),
        "archived": TagInput(0, 10, 10, archived.id),
        "other_draft": TagInput(0, 10, 10, draft.id),
        "missing": TagInput(0, 10, 10, 999_999),
        "not_a_number": TagInput(0, "10", 10, active.id),
    }[case]
    files = media_files(app)
    with pytest.raises(ValidationFailed) as info:
        notes.create_note(shop.owner, title="Tagged", body="", images=uploads(2),
                          product_tags=[tag])
    assert info.value.code == "invalid_product_tag"
    assert info.value.fields["product_tags"][0].startswith("Tag 1: ")
    assert note_count() == 0 and media_files(app) == files
