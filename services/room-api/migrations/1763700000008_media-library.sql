-- Up Migration
-- The media library (issue 15): catalog details for every films row, ingest jobs, sources, and
-- full-text search in English and Russian with trigram typo tolerance. A films row stays the unit
-- rooms, queues and watchlists refer to; a music track is a films row of kind 'track', so listening
-- rooms are rooms like any other.

-- Typo tolerance (similarity of trigrams). A trusted extension: the database owner may create it.
-- Installed once in public (test files each have their own schema and may race here).
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
  NULL;
END $$;

-- What search matches, weighted: titles (A), people, artist, album, year, genres (B), description (C).
-- Both the English and the Russian stemmers (russian stems latin words with the English stemmer too),
-- and 'simple' for names, which no stemmer should touch.
CREATE FUNCTION media_search_doc (title text, original_title text, description text, people text[], genres text[],
  artist text, album text, year int) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('pg_catalog.english', coalesce(title, '') || ' ' || coalesce(original_title, '')), 'A')
      || setweight(to_tsvector('pg_catalog.russian', coalesce(title, '') || ' ' || coalesce(original_title, '')), 'A')
      || setweight(to_tsvector('pg_catalog.simple', coalesce(array_to_string(people, ' '), '') || ' ' || coalesce(artist, '') || ' '
           || coalesce(album, '') || ' ' || coalesce(year::text, '') || ' ' || coalesce(array_to_string(genres, ' '), '')), 'B')
      || setweight(to_tsvector('pg_catalog.english', coalesce(description, '')), 'C')
      || setweight(to_tsvector('pg_catalog.russian', coalesce(description, '')), 'C')
$$;

CREATE TABLE media_items (
  film_id text PRIMARY KEY REFERENCES films (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('film', 'track')),
  original_title text,
  genres text[] NOT NULL DEFAULT '{}',
  people text[] NOT NULL DEFAULT '{}',
  languages text[] NOT NULL DEFAULT '{}',
  subtitle_languages text[] NOT NULL DEFAULT '{}',
  artist text,
  album text,
  track_number int,
  -- 'demo', 'file' (under the library root), 'url' (a remote stream, referenced, not copied).
  source text NOT NULL CHECK (source IN ('demo', 'file', 'url')),
  -- The absolute path or URL it came from: adding the same input again replaces its item.
  source_key text UNIQUE,
  -- size:mtime of a file: a rescan re-ingests a changed file.
  fingerprint text,
  -- <item id>/<version> under MEDIA_DATA_DIR; null for demo and remote items.
  media_path text,
  -- Renditions, audio tracks, subtitles, images (packages/media's Manifest).
  manifest jsonb NOT NULL DEFAULT '{}',
  bytes bigint NOT NULL DEFAULT 0,
  -- Removed items leave the catalog but keep their films row: past rooms still name their film.
  removed_at timestamptz,
  -- Titles as one string, for trigram typo tolerance.
  titles text NOT NULL,
  search tsvector NOT NULL
);
-- Search: both indexes on this table, so a query's full-text and typo branches combine (BitmapOr).
CREATE INDEX media_items_search ON media_items USING gin (search);
CREATE INDEX media_items_titles_trgm ON media_items USING gin (titles public.gin_trgm_ops);
-- Filters.
CREATE INDEX media_items_genres ON media_items USING gin (genres);
CREATE INDEX media_items_languages ON media_items USING gin ((languages || subtitle_languages));

-- Folders (rescanned) and URLs an operator added.
CREATE TABLE media_sources (
  location text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('folder', 'file', 'url')),
  added_at timestamptz NOT NULL DEFAULT now(),
  scanned_at timestamptz
);

-- Ingest jobs: progress for the admin API, and what a killed ingest left behind. A job's item
-- becomes visible only in the transaction that finishes it.
CREATE TABLE media_jobs (
  id uuid PRIMARY KEY,
  input text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  step text,
  progress real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  item_ids text[] NOT NULL DEFAULT '{}',
  error_code text,
  error_message text,
  -- Who runs it and when it last said so: a running job whose heartbeat stopped was killed.
  runner text,
  heartbeat_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_jobs_unfinished ON media_jobs (created_at) WHERE status IN ('queued', 'running');

-- The demo films, with the details search needs.
INSERT INTO media_items (film_id, kind, genres, people, languages, source, titles, search)
SELECT f.id, 'film', v.genres, v.people, '{}', 'demo', f.title,
  media_search_doc(f.title, NULL, f.description, v.people, v.genres, NULL, NULL, f.year)
FROM films f JOIN (VALUES
  ('big-buck-bunny', ARRAY['animation', 'comedy'], ARRAY['Sacha Goedegebure']),
  ('sintel', ARRAY['animation', 'fantasy'], ARRAY['Colin Levy']),
  ('tears-of-steel', ARRAY['science fiction'], ARRAY['Ian Hubert']),
  ('elephants-dream', ARRAY['animation', 'science fiction'], ARRAY['Bassam Kurdali']),
  ('cosmos-laundromat', ARRAY['animation', 'drama'], ARRAY['Mathieu Auvray'])
) AS v (id, genres, people) ON v.id = f.id
ON CONFLICT (film_id) DO NOTHING;

-- Down Migration
DROP TABLE media_jobs;
DROP TABLE media_sources;
DROP TABLE media_items;
DROP FUNCTION media_search_doc (text, text, text, text[], text[], text, text, int);
