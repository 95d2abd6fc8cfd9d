"""English: Django's formats, with ISO input formats first (dayi.core.formats says why)."""

from dayi.core.formats import EN

DATE_INPUT_FORMATS = EN["DATE_INPUT_FORMATS"]
TIME_INPUT_FORMATS = EN["TIME_INPUT_FORMATS"]
DATETIME_INPUT_FORMATS = EN["DATETIME_INPUT_FORMATS"]
