"""Chinese: Django's formats, with ISO input formats first (dayi.core.formats says why)."""

from dayi.core.formats import ZH_HANS

DATE_INPUT_FORMATS = ZH_HANS["DATE_INPUT_FORMATS"]
TIME_INPUT_FORMATS = ZH_HANS["TIME_INPUT_FORMATS"]
DATETIME_INPUT_FORMATS = ZH_HANS["DATETIME_INPUT_FORMATS"]
