-- DermaRead schema, version 1.
-- Conventions: timestamps are ISO-8601 UTC text ('2026-11-26T08:00:00.000Z'); JSON columns hold objects and are
-- checked with json_valid; boxes are pixel-edge [x, y, w, h] in the stored image's own (EXIF-rotated) pixels.

-- ---------------------------------------------------------------- cases and ground truth

CREATE TABLE categories (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,               -- machine name, e.g. 'mel', 'acne_lesion'
  title       TEXT NOT NULL,                      -- human name, e.g. 'Melanoma'
  description TEXT NOT NULL DEFAULT ''            -- short clinical description shown to readers
);

CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  source_format TEXT NOT NULL CHECK (source_format IN ('coco', 'voc')),
  source_path   TEXT NOT NULL,                    -- the annotation file or folder it came from
  imported_at   TEXT NOT NULL,
  metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata))
);

-- The categories a dataset declares, with the identifier its source file used.
CREATE TABLE dataset_categories (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  source_id   TEXT NOT NULL,                      -- COCO category id, or VOC object name
  PRIMARY KEY (dataset_id, category_id)
);

CREATE TABLE patients (
  id         INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  pseudonym  TEXT NOT NULL,                       -- pseudonymous id from the source, never a name
  sex        TEXT CHECK (sex IN ('female', 'male', 'unknown')),
  age        REAL CHECK (age IS NULL OR age >= 0),
  UNIQUE (dataset_id, pseudonym)
);

-- One row per distinct image content; the file lives at <data>/images/<sha256[0:2]>/<sha256>.<ext>.
CREATE TABLE images (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  extension  TEXT NOT NULL,                       -- 'jpg', 'png', ...
  byte_size  INTEGER NOT NULL,
  width      INTEGER NOT NULL CHECK (width > 0),
  height     INTEGER NOT NULL CHECK (height > 0)
);

CREATE TABLE cases (
  id           INTEGER PRIMARY KEY,
  dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  external_id  TEXT NOT NULL,                     -- image id in the source (COCO image id / file stem)
  file_name    TEXT NOT NULL,                     -- file name in the source
  image_sha256 TEXT NOT NULL REFERENCES images(sha256),
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL,
  patient_id   INTEGER REFERENCES patients(id),
  split        TEXT CHECK (split IN ('train', 'val', 'test')),
  metadata     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),   -- age, sex, site, lesion id...
  UNIQUE (dataset_id, external_id)
);
CREATE INDEX cases_by_dataset_split ON cases(dataset_id, split);
CREATE INDEX cases_by_image ON cases(image_sha256);

-- Image-level ground truth: the categories present in the case (one for HAM10000, any number in general).
CREATE TABLE case_labels (
  case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  PRIMARY KEY (case_id, category_id)
);

CREATE TABLE case_boxes (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL CHECK (w > 0), h REAL NOT NULL CHECK (h > 0),
  source_id   TEXT                                -- COCO annotation id, when there was one
);
CREATE INDEX case_boxes_by_case ON case_boxes(case_id);

-- ---------------------------------------------------------------- models and predictions

CREATE TABLE model_versions (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  version     TEXT NOT NULL,
  task        TEXT NOT NULL CHECK (task IN ('classification', 'detection')),
  sha256      TEXT NOT NULL,                      -- of model.onnx
  folder      TEXT NOT NULL,                      -- relative to the data folder: models/<onnx hash>-<manifest hash>
  manifest    TEXT NOT NULL CHECK (json_valid(manifest)),
  status      TEXT NOT NULL DEFAULT 'inactive' CHECK (status IN ('inactive', 'active', 'retired')),
  added_at    TEXT NOT NULL,
  retired_at  TEXT,
  UNIQUE (name, version)
);
-- At most one active version per task.
CREATE UNIQUE INDEX model_versions_one_active ON model_versions(task) WHERE status = 'active';

-- Output index -> category, fixed when the version is added (by name or by an explicit mapping).
CREATE TABLE model_labels (
  model_version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  label_index      INTEGER NOT NULL,
  label            TEXT NOT NULL,
  category_id      INTEGER NOT NULL REFERENCES categories(id),
  PRIMARY KEY (model_version_id, label_index)
);

CREATE TABLE prediction_runs (
  id               INTEGER PRIMARY KEY,
  model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
  dataset_id       INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  status           TEXT NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
  provider         TEXT NOT NULL,                 -- execution provider that ran it: 'cpu', 'cuda'
  case_count       INTEGER NOT NULL,
  done_count       INTEGER NOT NULL DEFAULT 0,
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  error            TEXT
);

-- One row per (model version, case) that the model has been run on; re-running replaces it.
CREATE TABLE predictions (
  model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
  case_id          INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  run_id           INTEGER NOT NULL REFERENCES prediction_runs(id),
  created_at       TEXT NOT NULL,
  PRIMARY KEY (model_version_id, case_id)
);
CREATE INDEX predictions_by_case ON predictions(case_id);

CREATE TABLE prediction_scores (
  model_version_id INTEGER NOT NULL,
  case_id          INTEGER NOT NULL,
  category_id      INTEGER NOT NULL REFERENCES categories(id),
  probability      REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
  PRIMARY KEY (model_version_id, case_id, category_id),
  FOREIGN KEY (model_version_id, case_id) REFERENCES predictions(model_version_id, case_id) ON DELETE CASCADE
);

CREATE TABLE prediction_boxes (
  id               INTEGER PRIMARY KEY,
  model_version_id INTEGER NOT NULL,
  case_id          INTEGER NOT NULL,
  category_id      INTEGER NOT NULL REFERENCES categories(id),
  score            REAL NOT NULL,
  x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
  FOREIGN KEY (model_version_id, case_id) REFERENCES predictions(model_version_id, case_id) ON DELETE CASCADE
);
CREATE INDEX prediction_boxes_by_case ON prediction_boxes(model_version_id, case_id);

-- ---------------------------------------------------------------- reader studies

CREATE TABLE studies (
  id                 INTEGER PRIMARY KEY,
  name               TEXT NOT NULL,
  dataset_id         INTEGER NOT NULL REFERENCES datasets(id),
  status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
  task_diagnosis     INTEGER NOT NULL DEFAULT 1 CHECK (task_diagnosis IN (0, 1)),
  task_marking       INTEGER NOT NULL DEFAULT 0 CHECK (task_marking IN (0, 1)),
  ask_probabilities  INTEGER NOT NULL DEFAULT 0 CHECK (ask_probabilities IN (0, 1)),
  show_age           INTEGER NOT NULL DEFAULT 0 CHECK (show_age IN (0, 1)),
  show_sex           INTEGER NOT NULL DEFAULT 0 CHECK (show_sex IN (0, 1)),
  show_site          INTEGER NOT NULL DEFAULT 0 CHECK (show_site IN (0, 1)),
  time_limit_s       INTEGER CHECK (time_limit_s IS NULL OR time_limit_s > 0),
  allow_back         INTEGER NOT NULL DEFAULT 1 CHECK (allow_back IN (0, 1)),
  assisted_model_version_id INTEGER REFERENCES model_versions(id),   -- set: an AI-assisted second read follows
  selection          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(selection)), -- how cases were chosen (split, N, seed)
  order_seed         INTEGER NOT NULL,
  created_at         TEXT NOT NULL,
  opened_at          TEXT,
  closed_at          TEXT,
  CHECK (task_diagnosis = 1 OR task_marking = 1)
);

-- The category list offered to readers, in display order, with keyboard shortcuts.
CREATE TABLE study_categories (
  study_id    INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  position    INTEGER NOT NULL,
  shortcut    TEXT,
  PRIMARY KEY (study_id, category_id),
  UNIQUE (study_id, position)
);

CREATE TABLE readers (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  access_code TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL DEFAULT 'reader' CHECK (role IN ('reader', 'coordinator')),
  created_at  TEXT NOT NULL,
  disabled_at TEXT
);

CREATE TABLE study_readers (
  study_id   INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  reader_id  INTEGER NOT NULL REFERENCES readers(id),
  order_seed INTEGER NOT NULL,                    -- seed of this reader's case order, recorded
  added_at   TEXT NOT NULL,
  finished_at TEXT,
  PRIMARY KEY (study_id, reader_id)
);

CREATE TABLE study_cases (
  id       INTEGER PRIMARY KEY,
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  case_id  INTEGER NOT NULL REFERENCES cases(id),
  UNIQUE (study_id, case_id)
);

-- Each reader's order of the study's cases.
CREATE TABLE study_case_order (
  study_id      INTEGER NOT NULL,
  reader_id     INTEGER NOT NULL,
  position      INTEGER NOT NULL CHECK (position >= 0),
  study_case_id INTEGER NOT NULL REFERENCES study_cases(id) ON DELETE CASCADE,
  PRIMARY KEY (study_id, reader_id, position),
  UNIQUE (study_id, reader_id, study_case_id),
  FOREIGN KEY (study_id, reader_id) REFERENCES study_readers(study_id, reader_id) ON DELETE CASCADE
);

-- One reader's answer on one case in one phase. A row with committed_at NULL is a draft being edited.
CREATE TABLE readings (
  id              INTEGER PRIMARY KEY,
  study_id        INTEGER NOT NULL,
  reader_id       INTEGER NOT NULL,
  study_case_id   INTEGER NOT NULL REFERENCES study_cases(id) ON DELETE CASCADE,
  phase           TEXT NOT NULL DEFAULT 'unaided' CHECK (phase IN ('unaided', 'assisted')),
  category_id     INTEGER REFERENCES categories(id),           -- the diagnosis
  confidence      INTEGER CHECK (confidence IS NULL OR (confidence BETWEEN 0 AND 100)),
  shown_at        TEXT NOT NULL,
  first_input_at  TEXT,
  committed_at    TEXT,
  elapsed_ms      INTEGER,                        -- time on the case, summed over visits
  timed_out       INTEGER NOT NULL DEFAULT 0 CHECK (timed_out IN (0, 1)),
  updated_at      TEXT NOT NULL,
  UNIQUE (study_id, reader_id, study_case_id, phase),
  FOREIGN KEY (study_id, reader_id) REFERENCES study_readers(study_id, reader_id) ON DELETE CASCADE
);
CREATE INDEX readings_by_reader ON readings(study_id, reader_id);

CREATE TABLE reading_probabilities (
  reading_id  INTEGER NOT NULL REFERENCES readings(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
  PRIMARY KEY (reading_id, category_id)
);

CREATE TABLE reading_boxes (
  id          INTEGER PRIMARY KEY,
  reading_id  INTEGER NOT NULL REFERENCES readings(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL CHECK (w > 0), h REAL NOT NULL CHECK (h > 0),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX reading_boxes_by_reading ON reading_boxes(reading_id);

-- ---------------------------------------------------------------- audit and settings

CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,                        -- 'system', 'cli', 'coordinator', 'reader:<id>'
  action    TEXT NOT NULL,                        -- 'dataset.import', 'model.activate', 'reading.commit', ...
  entity    TEXT,
  entity_id TEXT,
  details   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
CREATE INDEX audit_log_by_entity ON audit_log(entity, entity_id);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
);

-- ---------------------------------------------------------------- the known categories

INSERT INTO categories (name, title, description) VALUES
  ('akiec', 'Actinic keratosis / intraepithelial carcinoma',
   'Scaly, rough, pink-to-red patch or plaque on sun-damaged skin; dermoscopy: strawberry pattern, white scale, rosettes. Pre-malignant (Bowen''s disease when intraepidermal carcinoma).'),
  ('bcc', 'Basal cell carcinoma',
   'Pearly or translucent papule or plaque, often with arborizing vessels, ulceration, blue-grey ovoid nests or leaf-like areas; no pigment network. Locally invasive, rarely metastasizes.'),
  ('bkl', 'Benign keratosis',
   'Seborrheic keratosis, solar lentigo or lichen-planus-like keratosis: stuck-on, waxy lesion with milia-like cysts, comedo-like openings, fingerprint or moth-eaten borders. Benign.'),
  ('df', 'Dermatofibroma',
   'Firm dermal papule, dimples when pinched; dermoscopy: central white scar-like patch with a delicate peripheral pigment network. Benign.'),
  ('mel', 'Melanoma',
   'Malignant melanocytic tumour: asymmetry, irregular borders, several colours, atypical network, streaks, regression or blue-white veil; change over time. Needs excision.'),
  ('nv', 'Melanocytic nevus',
   'Common mole: symmetric, one or two colours, regular network, globules or homogeneous pattern, stable over time. Benign.'),
  ('vasc', 'Vascular lesion',
   'Cherry angioma, angiokeratoma, pyogenic granuloma or haemorrhage: red, purple or blue lacunae (well-demarcated red clods) on dermoscopy. Benign.'),
  ('acne_lesion', 'Acne lesion',
   'Inflammatory or comedonal acne lesion on the face: comedone (white- or blackhead), papule, pustule or nodule. Box each lesion separately.');
