-- Up Migration
-- Catalog search that stays interactive at 100,000 items (issue 15): a search ranks a bounded set of
-- candidates read from GIN indexes instead of ranking and counting every match
-- (src/media/catalog-search-repository.ts says how). Two more indexes serve it.

-- Titles alone, stemmed as media_search_doc stems them (weight A there), so the title matches of a
-- common word are found first and a film named for the word is never crowded out of the candidates
-- by thousands of descriptions that mention it. A subset of `search`'s lexemes: whatever matches
-- here matches there too.
CREATE FUNCTION media_title_doc (titles text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('pg_catalog.english', coalesce(titles, '')) || to_tsvector('pg_catalog.russian', coalesce(titles, ''))
$$;
CREATE INDEX media_items_title_search ON media_items USING gin (media_title_doc(titles));

-- Browsing by year (a filter without search text): the page in title order straight from the index.
CREATE INDEX films_by_year_title ON films (year, title, id);

-- Down Migration
DROP INDEX films_by_year_title;
DROP INDEX media_items_title_search;
DROP FUNCTION media_title_doc (text);
