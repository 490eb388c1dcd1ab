"""Upstream lightblue's evaluator test cases, carried over as data (tests.upstream's entity/doc).

Each case names its source: lightblue-core `crud/src/test/java/com/redhat/lightblue/eval/`
QueryTest (QT), ValueComparisonEvaluatorTest (VC), FieldComparisonEvaluatorTest (FC),
ProjectorTest (PT), ProjectionTest (PJ), UpdaterTest (UT), ForEachExpressionEvaluatorTest (FE);
lightblue-mongo MongoCRUDControllerTest (MC). Upstream's in-memory evaluator orders `bigdecimal`
values; lightblue-mongo refuses that (spec §3), so those cases expect its error instead of a
match (ERR below); everything else expects upstream's own answer.
"""

from __future__ import annotations

import json
from typing import Any

NF6 = "{'array':'field6.nf6',"
ERR = "mongo-translation:invalid-comparison"  # lightblue-mongo: no ordering on bigdecimal


def q(text: str) -> Any:
    """Upstream writes its JSON with single quotes."""
    return json.loads(text.replace("'", '"'))


# (source and name, query (None: all), expected: True/False match, or the error code)
QUERIES: list[tuple[str, Any, bool | str]] = [
    ("QT fieldTests 1", q("{'field':'field1','op':'$eq','rvalue':'value1'}"), True),
    ("QT fieldTests 2", q("{'field':'field1','op':'$eq','rvalue':'value2'}"), False),
    ("QT fieldTests 3", q("{'field':'field1','op':'$neq','rvalue':'value2'}"), True),
    ("QT fieldTests 4", q("{'field':'field5','op':'$eq','rvalue':true}"), True),
    ("QT fieldTests 5", q("{'field':'field5','op':'$eq','rvalue':'true'}"), True),
    ("QT fieldTests 6", q("{'field':'field5','op':'$eq','rvalue':1}"), True),
    (
        "QT fieldTests 7",
        q(
            "{'$and': [ {'field':'field3','op':'$gt','rvalue':2},"
            "{'field':'field7.0.elemf1','op':'$eq','rvalue':'elvalue0_1'}]}"
        ),
        True,
    ),
    ("QT fieldTests 8", q("{'field':'field7.0.elemf3','op':'<','rfield':'field7.1.elemf3'}"), True),
    ("QT fieldTests 9", q("{'field':'field6.nf3','op':'$in','values':[1,2,3,4]}"), True),
    ("QT fieldTests 10", q("{'field':'field6.nf3','op':'$nin','values':[1,2,3,4]}"), False),
    (
        "QT fieldTests 11",
        q("{'field':'field6.nf1','op':'$in','values':['blah','yada','nvalue1']}"),
        True,
    ),
    ("QT fieldTests 12", q("{'field':'field6.nf1','regex':'nvalue.*'}"), True),
    ("QT fieldTests 13", q("{'field':'field6.nf1','regex':'Nvalue.*'}"), False),
    (
        "QT fieldTests 14",
        q("{'field':'field6.nf1','regex':'Nvalue.*','case_insensitive':true}"),
        True,
    ),
    ("QT arrayTests 1", q(NF6 + "'contains':'$any','values':['zero','one']}"), True),
    ("QT arrayTests 2", q(NF6 + "'contains':'$any','values':['zero','blah']}"), False),
    ("QT arrayTests 3", q(NF6 + "'contains':'$all','values':['zero','one']}"), False),
    ("QT arrayTests 4", q(NF6 + "'contains':'$all','values':['three','one']}"), True),
    ("QT arrayTests 5", q(NF6 + "'contains':'$none','values':['zero','one']}"), False),
    ("QT arrayTests 6", q(NF6 + "'contains':'$none','values':['zero','blah']}"), True),
    (
        "QT arrayTests 7",
        q("{'array':'field7','elemMatch': { 'field':'elemf1','op':'$eq','rvalue':'elvalue1_1' }}"),
        True,
    ),
    (
        "VC multiple_value_comparison",
        q(
            "{ '$and' : [ {'field':'field4','op':'>','rvalue':3.5},"
            "{'field':'field6.nf1','op':'>','rvalue':'nvalue0'}] }"
        ),
        ERR,
    ),
    ("VC value_comparison true", q("{'field':'field4','op':'>','rvalue':3.5}"), ERR),
    ("VC value_comparison false", q("{'field':'field4','op':'<','rvalue':3.5}"), ERR),
    ("VC null value", q("{'field':'field1','op':'=','rvalue':null}"), False),
    ("VC one_$parent true", q("{'field':'field6.$parent.field4','op':'>','rvalue':3.5}"), ERR),
    (
        "VC one_$parent false",
        q("{'field':'field6.nf7.$parent.$parent.field4','op':'<','rvalue':3.5}"),
        ERR,
    ),
    (
        "VC two_$parent true",
        q("{'field':'field6.nf7.$parent.$parent.field4','op':'>','rvalue':3.5}"),
        ERR,
    ),
    ("VC two_$parent false", q("{'field':'field6.$parent.field4','op':'<','rvalue':3.5}"), ERR),
    ("VC one_$this true", q("{'field':'field6.$this.nf3','op':'>','rvalue':2.5}"), True),
    ("VC one_$this false", q("{'field':'field6.$this.nf3','op':'<','rvalue':3.5}"), False),
    ("VC two_$this true", q("{'field':'field6.$this.$this.nf3','op':'>','rvalue':3.5}"), True),
    ("VC two_$this false", q("{'field':'field6.$this.$this.nf3','op':'<','rvalue':3.5}"), False),
    (
        "VC one_$parent multiple",
        q(
            "{ '$and' : [ {'field':'field4','op':'>','rvalue':3.5},"
            "{'field':'field6.nf7.$parent.nf1','op':'>','rvalue':'nvalue0'}] }"
        ),
        ERR,
    ),
    (
        "VC two_$parent multiple",
        q(
            "{ '$and' : [ {'field':'field4','op':'>','rvalue':3.5},"
            "{'field':'field6.nf7.nnf1.$parent.$parent.nf1','op':'>','rvalue':'nvalue0'}] }"
        ),
        ERR,
    ),
    ("FC true", q("{'field':'field4','op':'>','rfield':'field3'}"), ERR),
    ("FC false", q("{'field':'field4','op':'<','rfield':'field3'}"), ERR),
    (
        "FC one_$parent true",
        q("{'field':'field6.$parent.field4','op':'>','rfield':'field6.$parent.field3'}"),
        ERR,
    ),
    (
        "FC one_$parent false",
        q("{'field':'field6.$parent.field4','op':'<','rfield':'field6.$parent.field3'}"),
        ERR,
    ),
    (
        "FC two_$parent true",
        q(
            "{'field':'field6.nf1.$parent.$parent.field4','op':'>',"
            "'rfield':'field6.nf1.$parent.$parent.field3'}"
        ),
        ERR,
    ),
    (
        "FC two_$parent false",
        q(
            "{'field':'field6.nf1.$parent.$parent.field4','op':'<',"
            "'rfield':'field6.nf1.$parent.$parent.field3'}"
        ),
        ERR,
    ),
    (
        "FC one_$this true",
        q("{'field':'field7.1.$this.elemf3','op':'>','rfield':'field7.0.$this.elemf3'}"),
        True,
    ),
    (
        "FC one_$this false",
        q("{'field':'field7.1.$this.elemf3','op':'<','rfield':'field7.0.$this.elemf3'}"),
        False,
    ),
    (
        "FC two_$this true",
        q(
            "{'field':'field7.1.$this.$this.elemf3','op':'>','rfield':'field7.0.$this.$this.elemf3'}"
        ),
        True,
    ),
    (
        "FC two_$this false",
        q(
            "{'field':'field7.1.$this.$this.elemf3','op':'<','rfield':'field7.0.$this.$this.elemf3'}"
        ),
        False,
    ),
    (
        "MC useThisInArrayTest nf8",
        q(
            "{'array':'field6.nf6','elemMatch':"
            "{'field':'$this','op':'$in','rfield':'$parent.$parent.nf8'}}"
        ),
        True,
    ),
    (
        "MC useThisInArrayTest nf9",
        q(
            "{'array':'field6.nf6','elemMatch':"
            "{'field':'$this','op':'$in','rfield':'$parent.$parent.nf9'}}"
        ),
        False,
    ),
]

# ArrayContainsEvaluatorTest: six cases on field6.nf5 = [5, 10, 15, 20], through five spellings
CONTAINS_PATHS = [
    "field6.nf5",
    "field6.nf4.$parent.nf5",
    "field6.nf7.nnf1.$parent.$parent.nf5",
    "field6.$this.nf5",
    "field6.$this.$this.nf5",
]
CONTAINS_CASES = [
    ("$any", [1, 2, 3, 4], False),
    ("$any", [1, 2, 3, 4, 5], True),
    ("$all", [5, 10, 15, 20], True),
    ("$all", [5, 10, 15, 25], False),
    ("$none", [5, 10, 15, 25], False),
    ("$none", [1, 2, 3, 4], True),
]
QUERIES += [
    (f"AC {path} {op} {values}", {"array": path, "contains": op, "values": values}, match)
    for path in CONTAINS_PATHS
    for op, values, match in CONTAINS_CASES
]


def elem_match(array: str, op: str, value: int) -> Any:
    return {"array": array, "elemMatch": {"field": "elemf3", "op": op, "rvalue": value}}


QUERIES += [  # ArrayMatchEvaluatorTest (AM); upstream's EvaluationError as lightblue-mongo's code
    ("AM non_array_field", elem_match("field2", ">", 3), "mongo-translation:invalid-field"),
    ("AM simple_values_array", elem_match("field6.nf9", ">", 3), "metadata:InvalidFieldReference"),
    ("AM no value matches", elem_match("field7", ">", 10), False),
    ("AM one value matches", elem_match("field7", ">", 3), True),
    ("AM one_$parent false", elem_match("field6.$parent.field7", ">", 10), False),
    ("AM one_$parent true", elem_match("field6.$parent.field7", ">", 3), True),
    ("AM two_$parent false", elem_match("field6.nf7.$parent.$parent.field7", ">", 10), False),
    ("AM one_$this false", elem_match("field8.nf1.$this.nnf4", ">", 50), False),
    ("AM one_$this true", elem_match("field8.nf1.$this.nnf4", ">", 5), True),
    ("AM two_$this false", elem_match("field8.nf1.$this.$this.nnf4", ">", 50), False),
    ("AM two_$this true", elem_match("field8.nf1.$this.$this.nnf4", ">", 5), True),
]


def nf5_with_itself(op: str) -> Any:
    return {"field": "field6.nf5", "op": op, "rfield": "field6.nf5"}


QUERIES += [  # MongoCRUDControllerTest (MC), on testMetadata + sample1
    (
        "MC useThisInArrayWithRegexTest",
        q("{'array':'field6.nf6','elemMatch':{'field':'$this','regex':'t.o'}}"),
        True,
    ),
    (
        "MC useThisNinArrayTest nf8",
        q(
            "{'array':'field6.nf6','elemMatch':"
            "{'field':'$this','op':'$nin','rfield':'$parent.$parent.nf8'}}"
        ),
        False,
    ),
    (
        "MC useThisNinArrayTest nf9",
        q(
            "{'array':'field6.nf6','elemMatch':"
            "{'field':'$this','op':'$nin','rfield':'$parent.$parent.nf9'}}"
        ),
        True,
    ),
    ("MC arrayArrayComparisonTest =", nf5_with_itself("="), True),
    ("MC arrayArrayComparisonTest !=", nf5_with_itself("!="), False),
    ("MC arrayArrayComparisonTest <=", nf5_with_itself("<="), True),
    ("MC arrayArrayComparisonTest <", nf5_with_itself("<"), False),
    ("MC arrayArrayComparisonTest >=", nf5_with_itself(">="), True),
    ("MC arrayArrayComparisonTest >", nf5_with_itself(">"), False),
    ("MC nullqTest", None, True),
]


def logic(at: str) -> tuple[list[Any], list[Any]]:
    """UnaryLogicalExpressionEvaluatorTest's two operand lists, on field1/field3 via `at`."""
    val = {"field": f"{at}field1", "regex": "Val.*"}
    both = [{**val, "caseInsensitive": 1}, {"field": f"{at}field3", "op": "$eq", "rvalue": 3}]
    either = [val, {"field": f"{at}field3", "op": "$eq", "rvalue": 4}]
    return both, either


BOTH, EITHER = logic("")
PARENT_BOTH, PARENT_EITHER = logic("field2.$parent.")
QUERIES += [  # RegexEvaluatorTest (RE), UnaryLogicalExpressionEvaluatorTest (UL)
    ("RE without case_insensitive", q("{'field':'field1','regex':'Val.*'}"), False),
    ("RE one_$parent partial match", q("{'field':'field2.$parent.field1','regex':'val.*'}"), True),
    ("RE one_$parent case_insensitive", {**PARENT_EITHER[0], "case_insensitive": 1}, True),
    ("RE one_$parent without case_insensitive", PARENT_EITHER[0], False),
    ("UL $and case_insensitive true", {"$and": BOTH}, True),
    ("UL $not $and false", {"$not": {"$and": BOTH}}, False),
    ("UL $or case_sensitive false", {"$or": EITHER}, False),
    ("UL $not $or true", {"$not": {"$or": EITHER}}, True),
    ("UL one_$parent $and true", {"$and": PARENT_BOTH}, True),
    ("UL one_$parent $not $and false", {"$not": {"$and": PARENT_BOTH}}, False),
    ("UL $or $parent false", {"$or": PARENT_EITHER}, False),
    ("UL $not $or $parent true", {"$not": {"$or": PARENT_EITHER}}, True),
]

MISSING = "<missing>"

# (source and name, update run first (upstream modifies the sample), update,
#  {path: expected} afterwards, or the error code)
UPDATES: list[tuple[str, Any, Any, dict[str, Any] | str]] = [
    (
        "UT setSimpleFieldTest",
        None,
        q(
            "[ {'$set' : { 'field1' : 'set1', 'field2':'set2', 'field5': 0,"
            " 'field6.nf1':'set6' } },"
            " {'$add' : { 'field3':1 } } ]"
        ),
        {"field1": "set1", "field2": "set2", "field3": 4, "field5": False, "field6.nf1": "set6"},
    ),
    (
        "UT setArrayFieldTest",
        None,
        q("{'$set' : { 'field6.nf5.0':'50', 'field6.nf6.1':'blah', 'field7.0.elemf1':'test'}}"),
        {"field6.nf5.0": 50, "field6.nf6.1": "blah", "field7.0.elemf1": "test"},
    ),
    (
        "UT refSet",
        None,
        q("{'$set' : { 'field6.nf5.0': { '$valueof' : 'field3' }, 'field7.0' : {}}}"),
        {"field6.nf5.0": 3, "field7.0": {}},
    ),
    (
        "UT unset",
        None,
        q("{'$unset' : [ 'field1', 'field6.nf2', 'field6.nf6.1','field7.1'] }"),
        {
            "field1": MISSING,
            "field6.nf2": MISSING,
            "field6.nf6": ["one", "three", "four"],
            "field6.nf6#": 3,
            "field7.1.elemf1": "elvalue2_1",
            "field7#": 3,
        },
    ),
    (
        "UT array_append",
        None,
        q("{ '$append' : { 'field6.nf6' : [ 'five','six',{'$valueof':'field2' }] } }"),
        {
            "field6.nf6": ["one", "two", "three", "four", "five", "six", "value2"],
            "field6.nf6#": 7,
        },
    ),
    (
        "UT null_array_append",
        q("{'$set': {'field7': null}}"),
        q("{ '$append' : { 'field7' : {} } }"),
        {"field7": [{}], "field7#": 1},
    ),
    (
        "UT null_nested_array_append",
        q("{'$set': {'field11.0.arr': null}}"),
        q("{ '$append' : { 'field11.0.arr' : { 'id':1, 'x1':'x1_1'} } }"),
        {"field11.0.arr": [{"id": 1, "x1": "x1_1"}]},
    ),
    (
        "UT null_array_set",
        q("{'$set': {'field7': null}}"),
        q("{ '$set' : { 'field7' : [] } }"),
        {"field7": [], "field7#": 0},
    ),
    (
        "UT array_insert",
        None,
        q("{ '$insert' : { 'field6.nf6.2' : [ 'five','six',{'$valueof':'field2' }] } }"),
        {
            "field6.nf6": ["one", "two", "five", "six", "value2", "three", "four"],
            "field6.nf6#": 7,
        },
    ),
    (
        "UT array_foreach_set_this",
        None,
        q("{ '$foreach' : { 'field7' : '$all' , '$update' : {'$set': { '$this': {} } } } }"),
        {"field7": [{}, {}, {}, {}]},
    ),
    (
        "UT array_foreach_removeall",
        None,
        q("{ '$foreach' : { 'field7' : '$all', '$update' : '$remove' } }"),
        {"field7": [], "field7#": 0},
    ),
    (
        "UT array_foreach_removeone",
        None,
        q(
            "{ '$foreach' : { 'field7' : { 'field':'elemf1','op':'=','rvalue':'elvalue0_1'} ,"
            " '$update' : '$remove' } }"
        ),
        {"field7.0.elemf1": "elvalue1_1", "field7#": 3},
    ),
    (
        "UT array_foreach_removethis",
        None,
        q(
            "{ '$foreach' : { 'field6.nf5' : { 'field':'$this','op':'=','rvalue':15} ,"
            " '$update' : '$remove' } }"
        ),
        {"field6.nf5": [5, 10, 20]},
    ),
    (
        "UT array_foreach_modone",
        None,
        q(
            "{ '$foreach' : { 'field7' : { 'field':'elemf1','op':'=','rvalue':'elvalue0_1'} ,"
            " '$update' : {'$set': { 'elemf1':'test'}} } }"
        ),
        {"field7.0.elemf1": "test", "field7.1.elemf1": "elvalue1_1", "field7#": 4},
    ),
    (
        "UT array_foreach_nullq",
        q("{'$set': {'field7.0.elemf1': null}}"),
        q(
            "{ '$foreach' : { 'field7' : { 'field':'elemf1','op':'=','rvalue':null} ,"
            " '$update' : {'$set': { 'elemf1':'test'}} } }"
        ),
        {"field7.0.elemf1": "test", "field7.1.elemf1": "elvalue1_1"},
    ),
    (  # upstream runs it on arr13.*.level2.*.level3 of another entity; here on field11.*.arr
        "UT parent_parent_update",
        None,
        q(
            "{ '$foreach' : { 'field11.*.arr' :"
            " { 'field':'$parent.$parent.f1','op':'=','rvalue':1},"
            "'$update' : {'$set':{'x2':'x' } }}}"
        ),
        {"field11.0.arr.0.x2": "x", "field11.0.arr.1.x2": "x", "field11.1.arr.0.x2": MISSING},
    ),
    (
        "FE one_$parent_array_foreach_modone",
        None,
        q(
            "{ '$foreach' : { 'field6.$parent.field7' : "
            "{ 'field':'elemf1','op':'=','rvalue':'elvalue0_1'} ,"
            " '$update' : {'$set': { 'elemf1':'test'}} } }"
        ),
        {"field7.0.elemf1": "test", "field7#": 4},
    ),
    (
        "FE one_$parent_array_foreach_removeone",
        None,
        q(
            "{ '$foreach' : { 'field6.$parent.field7' : "
            "{ 'field':'elemf1','op':'=','rvalue':'elvalue0_1'} , '$update' : '$remove' } }"
        ),
        {"field7.0.elemf1": "elvalue1_1", "field7#": 3},
    ),
    (
        "FE one_$parent_array_foreach_removeall",
        None,
        q("{ '$foreach' : { 'field6.$parent.field7' : '$all', '$update' : '$remove' } }"),
        {"field7": [], "field7#": 0},
    ),
]

APPENDED = ["five", "six", {"$valueof": "field2"}]
NF8 = ["four", "three", "two", "one"]


NF8_APPENDED = [*NF8, "five", "six", "value2"]
NF8_INSERTED_AT_2 = [*NF8[:2], "five", "six", "value2", *NF8[2:]]


UPDATES += [  # SetExpressionEvaluatorTest (SE), ArrayAddExpressionEvaluatorTest (AA)
    ("SE nullify_simple_field", None, q("[ {'$set' : { 'field1' : '$null' } }]"), {"field1": None}),
    (
        "SE nullify_simple_field_w_null",
        None,
        q("[ {'$set' : { 'field1' : null } }]"),
        {"field1": None},
    ),
    ("SE nullify_object_field", None, q("[ {'$set' : { 'field6' : '$null' } }]"), {"field6": None}),
    ("SE nullify_array", None, q("[ {'$set' : { 'field7' : '$null' } }]"), {"field7": None}),
    (
        "SE nullify_array_element",
        None,
        q("[ {'$set' : { 'field7.1' : '$null' } }]"),
        {"field7.1": None, "field7.2.elemf3": 5},
    ),
    (
        "SE assign_obj_to_field",
        None,
        q("{'$set': {'field6': { 'nf2':'blah','nf3':5 } } }"),
        {"field6": {"nf2": "blah", "nf3": 5}},
    ),
    (
        "SE assign_arr_to_field",
        None,
        q("{'$set': {'field6.nf10': [1,2] } }"),
        {"field6.nf10": [1, 2]},
    ),
    (
        "AA not an array",
        None,
        {"$append": {"field5": APPENDED}},
        "query-api:InvalidArrayUpdateExpression",
    ),
    (
        "AA insert without index",
        None,
        {"$insert": {"field6.nf6.$parent.nf8": APPENDED}},
        "query-api:InvalidArrayUpdateExpression",
    ),
    (
        "AA invalid type",
        None,
        {"$insert": {"field6.nf7.nnf1.$parent.$parent.nf11.5": APPENDED}},
        "metadata:IncompatibleValue",
    ),
    (
        "AA string_array_append",
        None,
        {"$append": {"field6.nf8": APPENDED}},
        {"field6.nf8": NF8_APPENDED},
    ),
    (
        "AA int_array_append",
        None,
        q("{ '$append' : { 'field6.nf5' : [ 1,2,{'$valueof':'field3' }] } }"),
        {"field6.nf5": [5, 10, 15, 20, 1, 2, 3]},
    ),
    (  # field4 is 4.0 in sample1 here (4.7 in the sample the upstream case was written for)
        "AA double_array_append",
        None,
        q("{ '$append' : { 'field6.nf10' : [ 1.5,2.6,{'$valueof':'field4' }] } }"),
        {"field6.nf10": [20.1, 15.2, 10.3, 5.4, 1.5, 2.6, 4.0]},
    ),
    (
        "AA string_array_insert",
        None,
        {"$insert": {"field6.nf8.2": APPENDED}},
        {"field6.nf8": NF8_INSERTED_AT_2},
    ),
    (
        "AA string_array_insert_and_array_expansion",
        None,
        {"$insert": {"field6.nf8.5": APPENDED}},
        {"field6.nf8": [*NF8, None, "five", "six", "value2"]},
    ),
    (
        "AA string_array_append_with_1_$parent",
        None,
        {"$append": {"field6.nf6.$parent.nf8": APPENDED}},
        {"field6.nf8": NF8_APPENDED},
    ),
    (
        "AA string_array_append_with_2_$parent",
        None,
        {"$append": {"field6.nf7.nnf1.$parent.$parent.nf8": APPENDED}},
        {"field6.nf8": NF8_APPENDED},
    ),
    (
        "AA int_array_append_with_1_$parent",
        None,
        q("{ '$append' : { 'field6.nf6.$parent.nf5' : [ 1,2,{'$valueof':'field3' }] } }"),
        {"field6.nf5": [5, 10, 15, 20, 1, 2, 3]},
    ),
    (
        "AA string_array_insert_with_1_$parent",
        None,
        {"$insert": {"field6.nf6.$parent.nf8.2": APPENDED}},
        {"field6.nf8": NF8_INSERTED_AT_2},
    ),
    (
        "AA string_array_insert_with_2_$parent",
        None,
        {"$insert": {"field6.nf7.nnf1.$parent.$parent.nf8.2": APPENDED}},
        {"field6.nf8": NF8_INSERTED_AT_2},
    ),
    (
        "AA string_array_insert_with_2_$parent_and_array_expansion",
        None,
        {"$insert": {"field6.nf7.nnf1.$parent.$parent.nf8.5": APPENDED}},
        {"field6.nf8": [*NF8, None, "five", "six", "value2"]},
    ),
    (
        "AA string_array_insert_null",
        None,
        q("{ '$insert' : { 'field6.nf8.2' : [ '$null', '$null'] } }"),
        {"field6.nf8": ["four", "three", None, None, "two", "one"]},
    ),
    (
        "AA string_array_append_null",
        None,
        q("{ '$append' : { 'field6.nf8' : [ '$null', '$null'] } }"),
        {"field6.nf8": [*NF8, None, None]},
    ),
]

# (source and name, projection, {path: expected} in the projected document)
PROJECTIONS: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "PT fieldProjectorTest_nonrecursive",
        q("[{'field':'field2'},{'field':'field6.*'}]"),
        {
            "field1": MISSING,
            "field2": "value2",
            "field3": MISSING,
            "field7": MISSING,
            "field6.nf4": False,
            "field6.nf7.nnf1": MISSING,
            "field6.nf7.nnf2": MISSING,
        },
    ),
    (
        "PT fieldProjectorTest_recursive",
        q("[{'field':'field2'},{'field':'field6.*','recursive':true}]"),
        {
            "field1": MISSING,
            "field2": "value2",
            "field7": MISSING,
            "field6.nf7": {"nnf1": "nnvalue1", "nnf2": 2},
            "field6.nf5": [5, 10, 15, 20],
        },
    ),
    (
        "PT fieldProjectorTest_arr_range",
        q("{'field':'field7','range':[1,2],'project':{'field':'elemf3'}}"),
        {"field1": MISSING, "field6": MISSING, "field7": [{"elemf3": 4}, {"elemf3": 5}]},
    ),
    (
        "PT fieldProjectorTest_arr_range_projection",
        q("{'field':'field7','range':[1,2],'projection':{'field':'elemf3'}}"),
        {"field7": [{"elemf3": 4}, {"elemf3": 5}]},
    ),
    (
        "PT fieldProjectorTest_arr_range_zero_zero_bounds",
        q("{'field':'field7','range':[0,0],'projection':{'field':'elemf3'}}"),
        {"field7": [{"elemf3": 3}]},
    ),
    (
        "PT fieldProjectorTest_arr_range_zero_upper_bound",
        q("{'field':'field7','range':[1,0],'projection':{'field':'elemf3'}}"),
        {"field7": MISSING},
    ),
    (
        "PT fieldProjectorTest_arr_range_to_gt_from",
        q("{'field':'field7','range':[3,1],'projection':{'field':'elemf3'}}"),
        {"field7": MISSING},
    ),
    (
        "PT fieldProjectorTest_arr_range_negative_upper_bound",
        q("{'field':'field7','range':[1,-8],'projection':{'field':'elemf3'}}"),
        {"field7": MISSING},
    ),
    (
        "PT fieldProjectorTest_arr_range_null_upper_bound",
        q("{'field':'field7','range':[1,null],'projection':{'field':'elemf3'}}"),
        {"field7": [{"elemf3": 4}, {"elemf3": 5}, {"elemf3": 6}]},
    ),
    (
        "PT fieldProjectorTest_arr_query",
        q(
            "{'field':'field7','match':{'field':'elemf3','op':'>','rvalue':4},'project':{'field':'*'}}"
        ),
        {
            "field6": MISSING,
            "field7": [
                {"elemf1": "elvalue2_1", "elemf2": "elvalue2_2", "elemf3": 5},
                {"elemf1": "elvalue3_1", "elemf2": "elvalue3_2", "elemf3": 6},
            ],
        },
    ),
    (
        "PT fieldProjectorTest_arr_query_projection",
        q(
            "{'field':'field7','match':{'field':'elemf3','op':'>','rvalue':4},"
            "'projection':{'field':'*'}}"
        ),
        {"field7.0.elemf3": 5, "field7.1.elemf3": 6, "field7.1.elemf2": "elvalue3_2"},
    ),
    (
        "PT fieldProjectorTest_arr_query_sort_projection",
        q(
            "{'field':'field7','match':{'field':'elemf3','op':'>=','rvalue':4},"
            "'project':{'field':'*'}, 'sort': { 'elemf2':'$desc'}}"
        ),
        {"field7.0.elemf3": 6, "field7.1.elemf3": 5, "field7.2.elemf3": 4, "field7.3": MISSING},
    ),
    (
        "PT fieldProjectorTest_arr_query_sort",
        q(
            "{'field':'field7','match':{'field':'elemf3','op':'>=','rvalue':4},"
            "'projection':{'field':'*'}, 'sort': { 'elemf2':'$desc'}}"
        ),
        {"field7.0.elemf3": 6, "field7.1.elemf3": 5, "field7.2.elemf3": 4, "field7.3": MISSING},
    ),
    (
        "PT fieldProjectorTest_arr_query_or",
        q(
            "{'field':'field7','match':{'$or':[{'field':'elemf3','op':'>','rvalue':4},"
            "{'field':'elemf3','op':'>','rvalue':5}]},'project':{'field':'*'}}"
        ),
        {"field7.0.elemf1": "elvalue2_1", "field7.1.elemf1": "elvalue3_1", "field7.2": MISSING},
    ),
    (
        "PT fieldProjectorTest_arr_query_or_projection",
        q(
            "{'field':'field7','match':{'$or':[{'field':'elemf3','op':'>','rvalue':4},"
            "{'field':'elemf3','op':'>','rvalue':5}]},'projection':{'field':'*'}}"
        ),
        {"field7.0.elemf3": 5, "field7.1.elemf3": 6, "field7.2": MISSING},
    ),
    (
        "PT include_then_exclude_626",
        q(
            "[ {'field':'field7','include':true,'match':{'field':'elemf3','op':'>','rvalue':3}},"
            "  {'field':'field7','include':false,"
            "'match':{'field':'elemf2','op':'=','rvalue':'elvalue1_2'}},"
            "  {'field':'*','include':true,'recursive':false} ]"
        ),
        {"field7.0.elemf3": 3, "field7.1.elemf3": 5},
    ),
    (
        "PJ basicProjectionTest_recursive",
        q("{'field':'*','include':1,'recursive':1}"),
        {
            "field1": "value1",
            "field3": 3,
            "field5": True,
            "field6.nf5": [5, 10, 15, 20],
            "field6.nf7.nnf2": 2,
            "field7.3.elemf1": "elvalue3_1",
        },
    ),
    (
        "PJ basicProjectionTest_exclusion",
        q("[{'field':'*','include':1,'recursive':1},{'field':'field7','include':0}]"),
        {"field1": "value1", "field6.nf6.3": "four", "field7": MISSING},
    ),
    (
        "PJ arrayRangeTest",
        q("{'field':'field6.nf6','range':[1,2],'project':{'field':'*'}}"),
        {"field1": MISSING, "field6.nf1": MISSING, "field6.nf6": ["two", "three"]},
    ),
    (
        "PJ arrayNestedQTest",
        q("{'field':'field7','match':{'field':'elemf1','op':'$eq','rvalue':'elvalue0_1'}}"),
        {"field6": MISSING, "field7.0.elemf1": "elvalue0_1", "field7.1": MISSING},
    ),
]
