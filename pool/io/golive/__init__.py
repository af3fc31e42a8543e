"""The go-live import (issue #21): an existing pool brought in with its history.

:mod:`.sheets` reads and writes the go-live workbook (the applicant workbook
plus 入库批次 and 历史事件); :mod:`.history` replays it through the
lifecycle's own functions, all or nothing, and previews what it would create.
"""
from pool.io.golive.history import HistoryRefused, Outcome, describe, preview, replay, summary
from pool.io.golive.sheets import History, PastEvent, PastRound, read_history, write_template

__all__ = ["History", "HistoryRefused", "Outcome", "describe", "PastEvent", "PastRound", "preview",
           "read_history", "replay", "summary", "write_template"]
