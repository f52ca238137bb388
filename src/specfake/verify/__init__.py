"""``specfake verify``: replay a recording (the journal's HAR export) against a real server and
report, per interaction, where the real answer differs from the recorded one.

A recording made against the fake is what a frontend actually did; replaying it against
staging shows whether the fake behaves like the real server on exactly that. Import nothing
from the app: the server under test is any implementation of the API.
"""

from specfake.verify.compare import Difference
from specfake.verify.recording import Interaction, read_recording
from specfake.verify.replay import Replay, Replayed, VerifyOptions

__all__ = ["Difference", "Interaction", "Replay", "Replayed", "VerifyOptions", "read_recording"]
