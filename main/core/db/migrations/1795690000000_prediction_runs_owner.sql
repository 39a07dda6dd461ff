-- The process that runs a prediction run, so that a run left 'running' by a crash can be recognised later.
ALTER TABLE prediction_runs ADD COLUMN owner_pid INTEGER;
