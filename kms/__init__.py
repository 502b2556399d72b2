"""KMS — a sales knowledge search engine aligned with the stages of the sales process.

Importing the package makes the process offline and private before any third-party
library is loaded: no telemetry (``DO_NOT_TRACK``), no model hub (``HF_HUB_OFFLINE``).
A customer's documents are not ours to announce.
"""

import os

for _name, _value in {
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "SCARF_NO_ANALYTICS": "true",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # no "Loading weights" bar on every CLI start
}.items():
    os.environ[_name] = _value

__version__ = "0.1.0"
