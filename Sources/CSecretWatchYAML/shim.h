#ifndef SECRETWATCH_CSECRETWATCHYAML_SHIM_H
#define SECRETWATCH_CSECRETWATCHYAML_SHIM_H
#include <stdlib.h>
#include <yaml.h>

/* libyaml's parser and event are structs holding unions; these typed wrappers are all the Swift side uses, so it
   never reads a union member itself. Lines and columns are libyaml's (zero-based). */

/* A parser reading `size` bytes at `input` (which must outlive it), or NULL when out of memory. */
static inline yaml_parser_t *sw_yaml_parser_new(const unsigned char *input, size_t size) {
    yaml_parser_t *parser = malloc(sizeof(yaml_parser_t));
    if (parser == NULL) return NULL;
    if (!yaml_parser_initialize(parser)) {
        free(parser);
        return NULL;
    }
    yaml_parser_set_input_string(parser, input, size);
    yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING);
    return parser;
}

static inline void sw_yaml_parser_free(yaml_parser_t *parser) {
    yaml_parser_delete(parser);
    free(parser);
}

/* The next event into `event` (which the caller frees with yaml_event_delete); 0 on error. */
static inline int sw_yaml_parser_next(yaml_parser_t *parser, yaml_event_t *event) {
    return yaml_parser_parse(parser, event);
}

/* What went wrong (YAML_READER_ERROR, YAML_SCANNER_ERROR, YAML_PARSER_ERROR, YAML_MEMORY_ERROR...). */
static inline int sw_yaml_parser_error(const yaml_parser_t *parser) { return (int)parser->error; }
static inline const char *sw_yaml_parser_problem(const yaml_parser_t *parser) { return parser->problem; }
/* Reader errors (bad UTF-8, control characters) name a byte offset and the offending value instead of a mark. */
static inline size_t sw_yaml_parser_problem_offset(const yaml_parser_t *parser) { return parser->problem_offset; }
static inline int sw_yaml_parser_problem_value(const yaml_parser_t *parser) { return parser->problem_value; }
static inline size_t sw_yaml_parser_problem_line(const yaml_parser_t *parser) { return parser->problem_mark.line; }
static inline size_t sw_yaml_parser_problem_column(const yaml_parser_t *parser) { return parser->problem_mark.column; }
static inline const char *sw_yaml_parser_context(const yaml_parser_t *parser) { return parser->context; }

static inline int sw_yaml_event_type(const yaml_event_t *event) { return (int)event->type; }
static inline size_t sw_yaml_event_line(const yaml_event_t *event) { return event->start_mark.line; }
static inline size_t sw_yaml_event_column(const yaml_event_t *event) { return event->start_mark.column; }

/* The anchor an alias refers to, or that a scalar, sequence or mapping defines; NULL for none. */
static inline const char *sw_yaml_event_anchor(const yaml_event_t *event) {
    switch (event->type) {
    case YAML_ALIAS_EVENT: return (const char *)event->data.alias.anchor;
    case YAML_SCALAR_EVENT: return (const char *)event->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT: return (const char *)event->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT: return (const char *)event->data.mapping_start.anchor;
    default: return NULL;
    }
}

/* The explicit tag of a scalar, sequence or mapping (`!!str`, `!x`); NULL when none was written. */
static inline const char *sw_yaml_event_tag(const yaml_event_t *event) {
    switch (event->type) {
    case YAML_SCALAR_EVENT: return (const char *)event->data.scalar.tag;
    case YAML_SEQUENCE_START_EVENT: return (const char *)event->data.sequence_start.tag;
    case YAML_MAPPING_START_EVENT: return (const char *)event->data.mapping_start.tag;
    default: return NULL;
    }
}

/* A scalar's bytes (UTF-8, not NUL-terminated for our purposes: it may contain "\0"), length and style. */
static inline const unsigned char *sw_yaml_event_scalar_value(const yaml_event_t *event) {
    return event->data.scalar.value;
}
static inline size_t sw_yaml_event_scalar_length(const yaml_event_t *event) { return event->data.scalar.length; }
static inline int sw_yaml_event_scalar_style(const yaml_event_t *event) { return (int)event->data.scalar.style; }

#endif
