"""Chinese: Django's formats, with ISO input formats first (dayi.formats says why)."""

from dayi.formats import ZH_HANS

DATE_INPUT_FORMATS = ZH_HANS["DATE_INPUT_FORMATS"]
TIME_INPUT_FORMATS = ZH_HANS["TIME_INPUT_FORMATS"]
DATETIME_INPUT_FORMATS = ZH_HANS["DATETIME_INPUT_FORMATS"]
