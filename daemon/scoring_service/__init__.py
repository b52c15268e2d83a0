"""The daemon's one scoring door: one scorer protocol, one service, one pool of workers.

- ``scorer``: the ``Scorer`` protocol, the one spelling of "the scorer" in the daemon;
- ``service``: ``ScoringService``, the door the HTTP API and the SMTP proxy share;
- ``pool``: the worker processes that each hold a warmed scorer (memory and time limits);
- ``worker``: one worker process; ``channel``: its frames; ``dispatch``: which worker takes
  a job.

Imports ``daemon.config`` and ``daemon.runtime`` only; the jobs it runs are named by
module (``daemon.application.score_draft``) and imported in the worker.
"""
