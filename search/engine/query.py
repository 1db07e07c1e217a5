"""Reading a query: the parser and its plugins (field clauses as filters, phrases with stop words,
+/- signs, the all-words bonus), and what a parsed query is made of.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import qparser
from whoosh.matching import ListMatcher
from whoosh.query import (
    And,
    AndMaybe,
    Every,
    Not,
    NullQuery,
    Or,
    Phrase,
    Query,
    Term,
    WrappingQuery,
)

from ..models import Ranking
from .analysis import _WORD_RE, _every_folded_word, query_schema

ALL_DOCUMENTS_FIELD = "_all"  # a name no field has, so that Whoosh's normalize() keeps _AllDocuments
TEXT_FIELDS = ("title", "body", "author")  # fields of words, with positions for phrases

# Fields whose clauses narrow without scoring, like the flags (_FilterClause); "filter" marks a clause
# already made one.
FILTER_FIELDS = ("date", "actors", "source", "author", "type", "filter")


def _is_joined_name(written: str) -> bool:
    """True for a name written with hyphens ('al-Baghdadi', 'Al-Shabaab', 'U.S.-Mexico', 'Coca-Cola'):
    a part after the first starts with a capital, and the word is not all capitals ('NON-USERS')."""
    later = re.split(r"[\W_]+", written, flags=re.UNICODE)[1:]
    return not written.isupper() and any(part[:1].isupper() for part in later)


class _Parser(qparser.QueryParser):
    """Whoosh's parser, reading a word made of several parts (hyphens, apostrophes) as all of them.

    Whoosh ORs the parts of 'al-Baghdadi', so 'al' matched everywhere (370 hits for 20 documents
    naming Baghdadi). Here a name's parts make a phrase ('al-Baghdadi' = "al baghdadi"), and any
    other compound's parts must all be there ('two-dimensional' = two AND dimensional: technical
    text writes "two- and three-dimensional"; as a phrase it cost Cranfield 0.012 nDCG@10, measured
    with bench/relevance.py). A single letter beside one part is left out ("Mali's" = Mali, "e-mail"
    = mail), as before.
    """

    def term_query(
        self, fieldname: str, text: str, termclass: Any, boost: float = 1.0, tokenize: bool = True,
        removestops: bool = True,
    ) -> Query | None:  # fmt: skip
        if termclass is Term and fieldname == "actors":
            # A name as written, as a quoted one is (_PhraseNode): "GOP" may abbreviate organisations
            # that "gop" may not; the index later puts the ids it may mean in its place.
            return Term(fieldname, text, boost=boost)
        if (
            termclass is Term
            and tokenize
            and fieldname in ("title", "body")
            and len(_WORD_RE.findall(text)) > 1
        ):
            tokens = [t.text for t in self.schema[fieldname].tokenize(text, mode="query", removestops=False)]
            parts = [n for n, word in enumerate(_every_folded_word(text)) if len(word) >= 2]
            if len(parts) >= 2 and _is_joined_name(text):
                return Phrase(fieldname, tokens[parts[0] : parts[-1] + 1], boost=boost)
            if len(parts) >= 2:
                return And([Term(fieldname, tokens[n]) for n in parts], boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


def query_parser(ranking: Ranking, drop_stop_words: bool = True) -> qparser.QueryParser:
    """Whoosh's parser over title and body, with our plugins: see each plugin's docstring. The title's
    weight (beside the index-time TITLE_BOOST) and the all-words bonus come from ranking."""
    group = type(
        "_AllWordsBonusGroup",
        (_AllWordsBonusGroup,),
        {"bonus": ranking.all_words_bonus, "max_words": ranking.all_words_max},
    )
    parser = _Parser(None, query_schema(drop_stop_words), group=group)
    # Whoosh's MultifieldParser(), with our class: a word without a field is searched in title and body.
    parser.add_plugin(
        qparser.MultifieldPlugin(["title", "body"], fieldboosts={"title": ranking.title_weight, "body": 1.0})
    )
    parser.add_plugin(qparser.FieldAliasPlugin({"actors": ["actor"]}))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(_PlusMinusPlugin())
    parser.add_plugin(_FieldClausePlugin())
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(_PhrasePlugin())
    return parser


def _nodes(query: Query) -> Iterator[Query]:
    yield query
    for child in query.children():
        yield from _nodes(child)


def _plain_words(query: Query) -> bool:
    """True for a query of words alone (no phrase, field, wildcard or exclusion): feedback suits it."""
    nodes = list(_nodes(query))
    leaves = [node for node in nodes if not list(node.children())]
    return (
        bool(leaves)
        and not any(isinstance(node, Not) for node in nodes)
        and all(type(leaf) is Term and leaf.fieldname in ("title", "body") for leaf in leaves)
    )


def query_words(query: Query) -> set[str]:
    """The words (terms) a query searches the body for."""
    return {leaf.text for leaf in query.leaves() if type(leaf) is Term and leaf.fieldname == "body"}


def _without(query: Query, excluded: Query) -> Query:
    """Documents matching query but not excluded.

    Whoosh 2.7.5's AndNot returned a sample document that holds the excluded word; And with Not
    does not, so exclusion is always built this way.
    """
    return And([query, Not(excluded)])


class _FilterClause(WrappingQuery):
    """A field clause that narrows without scoring (date:, actor:), as the --since/--until/--actor flags do.

    Where it stands in conjunction with the rest of the query it is lifted out into the search's
    filter (_lift_filters); elsewhere (under OR or NOT) it is its child query.
    """

    boost = 1.0  # a filter has no weight of its own (Whoosh's normalize() reads every clause's boost)

    def normalize(self) -> Query:
        child = self.child.normalize()
        return NullQuery if child is NullQuery else self._rewrap(child)


class _FilterNode(qparser.syntax.GroupNode):
    """The syntax node of a filter field's clause: `date:2012`, `actor:"African Union"`, `actor:(a OR b)`."""

    def query(self, parser: qparser.QueryParser) -> Query | None:
        inner = [q for q in (node.query(parser) for node in self.nodes) if q is not None]
        if not inner:
            return None
        return qparser.syntax.attach(_FilterClause(inner[0] if len(inner) == 1 else And(inner)), self)


def _clause_field(node: Any) -> str | None:
    """The field a syntax node was written with (`title:junta`, `actor:(mali OR niger)`), else None.

    A bare word has none: the multifield plugin made it a group over title and body, two fields.
    """
    if isinstance(node, _FilterNode):
        return "filter"
    if isinstance(node, qparser.syntax.NotGroup):
        return None
    if isinstance(node, qparser.syntax.GroupNode):
        fields = {
            _clause_field(child) for child in node.nodes if not isinstance(child, qparser.syntax.MarkerNode)
        }
        return fields.pop() if len(fields) == 1 else None
    return getattr(node, "fieldname", None)


class _FieldClausePlugin(qparser.Plugin):
    """Marks the clauses of filter fields (date, actor) once fields are known, before + and - group words."""

    def filters(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.do_filter_fields, 505)]  # after fields (100) and multifield (110), before +/- (510)

    def do_filter_fields(self, parser: qparser.QueryParser, group: Any) -> Any:
        marked = group.empty_copy()
        for node in group:
            if _clause_field(node) in FILTER_FIELDS:
                node = _FilterNode([node])
            elif isinstance(node, qparser.syntax.GroupNode):
                node = self.do_filter_fields(parser, node)
            marked.append(node)
        return marked


class _AllDocuments(Every):
    """Every document, to take exclusions from ('NOT soldiers').

    Not Every(): Whoosh normalises And([Every(), Not(x)]) to Every(), dropping the exclusion; nor
    Every("id"), which reads the postings of every id (14 s for one hostile query of 3,000 stories).
    """

    def __init__(self) -> None:
        super().__init__(ALL_DOCUMENTS_FIELD)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return ListMatcher(array("I", searcher.reader().all_doc_ids()), all_weights=self.boost)


class _AllWordsBonusGroup(qparser.OrGroup):
    """Words written side by side are ORed, plus a bonus clause for holding all of them; a field
    clause beside them must hold (`coup title:junta`, `coup date:2023`), as in Elasticsearch's
    query_string and Recoll, unless joined by an explicit OR.

    Whoosh's own OrGroup.factory(coord) multiplies every score by (n-1)/n terms, which is
    zero for a one-word query, and its bonus is too small to reorder results. query_parser() makes a
    subclass holding the bonus and the most words it is given for (Ranking.all_words_*).
    """

    bonus: float
    max_words: int

    def query(self, parser: qparser.QueryParser) -> Query | None:
        required = [
            q for q in (node.query(parser) for node in self.nodes if _clause_field(node)) if q is not None
        ]
        clauses = [
            q for q in (node.query(parser) for node in self.nodes if not _clause_field(node)) if q is not None
        ]
        # "coup NOT mali" means coup without mali, not "coup, or anything without mali".
        excluded = [q.query for q in clauses if isinstance(q, Not)]
        # A word the query repeats weighs more (Whoosh's normalize() would keep one copy).
        counts = Counter(q for q in clauses if not isinstance(q, Not))
        words = [q.with_boost(q.boost * n) if n > 1 else q for q, n in counts.items()]
        core: Query | None
        if not words and not required and not excluded:
            return None  # an empty group, '()': it matches nothing, and narrows nothing
        if not words:
            core = None if required else _AllDocuments()
        elif len(words) < 2 or len(words) > self.max_words or not self.bonus:
            core = Or(words, boost=self.boost)
        else:
            core = Or([Or(words), And(words, boost=self.bonus)], boost=self.boost)
        parts = ([core] if core is not None else []) + required
        query = parts[0] if len(parts) == 1 else And(parts)
        if excluded:
            query = _without(query, Or(excluded))
        return qparser.syntax.attach(query, self)


def _lift_filters(query: Query) -> tuple[Query | None, list[Query]]:
    """The query without the filter clauses that every match must satisfy, and those clauses.

    A filter ANDed with the rest (at the top, in an And, on the required side of +word) is lifted;
    one under OR or NOT is left in place as its child query. None: no scored part remains.
    """
    if isinstance(query, _FilterClause):
        return None, [_unwrap_filters(query.child)]
    if type(query) is And:
        kept, lifted = [], []
        for child in query.subqueries:
            rest, found = _lift_filters(child)
            lifted.extend(found)
            if rest is not None:
                kept.append(rest)
        if not kept:
            return None, lifted
        return (kept[0] if len(kept) == 1 and query.boost == 1 else And(kept, boost=query.boost)), lifted
    if isinstance(query, AndMaybe):
        required, lifted = _lift_filters(query.a)
        optional = _unwrap_filters(query.b)
        if required is None:
            return optional, lifted
        both = AndMaybe(required, optional)
        both.boost = query.boost
        return both, lifted
    return _unwrap_filters(query), []


def _unwrap_filters(query: Query) -> Query:
    """The query with every filter clause replaced by its child (under OR or NOT it filters nothing)."""
    return query.accept(lambda node: node.child if isinstance(node, _FilterClause) else node)


class _PlusMinusPlugin(qparser.PlusMinusPlugin):
    """+word and -word, keeping the parser's own group for the optional words.

    Whoosh's plugin regroups them in a plain OrGroup, which would drop the bonus for holding
    all the words and the handling of NOT; it takes '-' anywhere, splitting 'al-Shabaab'; it
    excludes with AndNot (see _without); and it made a field clause beside a +word optional
    ('+Kavanaugh actor:russia'): here field clauses join the required words.
    """

    def __init__(self) -> None:
        super().__init__(plusexpr=r"(?<!\S)\+(?=\S)", minusexpr=r"(?<!\S)-(?=\S)")

    def do_plusminus(self, parser: qparser.QueryParser, group: Any) -> Any:
        required = qparser.syntax.AndGroup()
        optional = type(group)()
        banned = qparser.syntax.OrGroup()
        fielded = []
        target = optional
        for node in group:
            if isinstance(node, self.Plus):
                target = required
            elif isinstance(node, self.Minus):
                target = banned
            else:
                if target is optional and _clause_field(node):
                    fielded.append(node)
                else:
                    target.append(node)
                target = optional
        result = optional
        if required:
            required.extend(fielded)
            result = qparser.syntax.AndMaybeGroup([required, result]) if optional else required
        else:
            optional.extend(fielded)
        if banned:
            result = qparser.syntax.AndGroup([result, qparser.syntax.NotGroup([banned])])
        return result


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A quoted phrase whose every word counts, stop words included ("the military", "Me Too").

    Whoosh's node analyses a phrase as it does a lone word, dropping its stop words, so "the
    military" matched every document holding "military". In the actor field a quoted name is one
    value ("African Union"), not a sequence of words.
    """

    def query(self, parser: qparser.QueryParser) -> Query:
        fieldname = self.fieldname or parser.fieldname
        if fieldname == "actors":
            return qparser.syntax.attach(Term(fieldname, " ".join(self.text.split())), self)
        if fieldname not in TEXT_FIELDS:  # date:"2012-03": the quoted text is the field's value
            return qparser.syntax.attach(parser.term_query(fieldname, self.text, parser.termclass), self)
        field = parser.schema[fieldname]
        words, char_ranges = [], []
        for token in field.tokenize(self.text, mode="query", chars=True, removestops=False):
            words.append(token.text)
            char_ranges.append((self.textstartchar + token.startchar, self.textstartchar + token.endchar))
        phrase = parser.phraseclass(
            fieldname, words, slop=self.slop, boost=self.boost, char_ranges=char_ranges
        )
        return qparser.syntax.attach(phrase, self)


class _PhrasePlugin(qparser.PhrasePlugin):
    """Quoted phrases read by _PhraseNode."""

    class PhraseTagger(qparser.RegexTagger):
        def create(self, parser: qparser.QueryParser, match: Any) -> _PhraseNode:
            slop = match.group("slop")
            return _PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)

    def taggers(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.PhraseTagger(self.expr), 0)]


@dataclass(frozen=True)
class ParsedQuery:
    """A query string read: the part that scores, the filter clauses every match satisfies, notes."""

    scored: Query | None  # None: the query only filters
    filters: tuple[Query, ...] = ()
    notes: tuple[str, ...] = ()
    actors: tuple[
        tuple[str, tuple[str, ...]], ...
    ] = ()  # (as written, the ids it may mean): every match names one
    sources: tuple[str, ...] = ()  # the outlets source: clauses name, as written
    no_words: bool = False  # the text held no word to search for ('+.', '-'): nothing matches

    def leaves(self) -> list[Query]:
        """Every leaf of the scored part and of the filters."""
        parts = ([self.scored] if self.scored is not None else []) + list(self.filters)
        return [leaf for part in parts for leaf in part.leaves()]

    def names_field(self, fieldname: str) -> bool:
        """True when a clause of the field stands anywhere in the query (under OR too)."""
        return any(getattr(leaf, "fieldname", None) == fieldname for leaf in self.leaves())

    def text_terms(self) -> frozenset[str] | None:
        """Every title or body term the query looks up; None when it holds a pattern (a wildcard, a
        prefix, a fuzzy word: any term may match)."""
        terms: set[str] = set()
        for leaf in self.leaves():
            if getattr(leaf, "fieldname", None) not in ("title", "body"):
                continue
            if type(leaf) is Term:
                terms.add(leaf.text)
            elif type(leaf) is Phrase:
                terms.update(leaf.words)
            else:
                return None
        return frozenset(terms)
