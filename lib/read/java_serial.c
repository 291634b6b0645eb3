/*
 * Skip one Java serialized object (Java Object Serialization Specification,
 * chapter 6), as a JCEKS secret-key entry stores its SealedObject: the entry
 * has no length prefix, so the only way past it is to walk the stream's
 * grammar. Nothing is built or kept; the walk only follows what a grammar
 * rule needs to find the next byte: class descriptors (their field types,
 * flags and superclass) and the handles that refer back to them.
 *
 * Bounded: nesting depth, handles, class descriptors and fields have fixed
 * caps; every length is checked against the pointer/end pair; a descriptor
 * may only refer to descriptors completed before it, so superclass chains
 * have no cycle.
 */
#include <stdlib.h>
#include <string.h>

#include "read_int.h"

#define TC_NULL 0x70
#define TC_REFERENCE 0x71
#define TC_CLASSDESC 0x72
#define TC_OBJECT 0x73
#define TC_STRING 0x74
#define TC_ARRAY 0x75
#define TC_CLASS 0x76
#define TC_BLOCKDATA 0x77
#define TC_ENDBLOCKDATA 0x78
#define TC_RESET 0x79
#define TC_BLOCKDATALONG 0x7a
#define TC_EXCEPTION 0x7b
#define TC_LONGSTRING 0x7c
#define TC_PROXYCLASSDESC 0x7d
#define TC_ENUM 0x7e
#define BASE_HANDLE 0x7e0000u

#define SC_WRITE_METHOD 0x01
#define SC_SERIALIZABLE 0x02
#define SC_EXTERNALIZABLE 0x04
#define SC_BLOCK_DATA 0x08

#define MAX_DEPTH 32
#define MAX_HANDLES 4096
#define MAX_DESCS 256
#define MAX_FIELDS 4096 /* of all descriptors together */

struct desc {
	uint8_t flags;
	char elem;     /* an array class ("[B"): its element type code; else 0 */
	int super;     /* index in descs, or -1 */
	int complete;  /* its superclass is read: it may be referred to */
	size_t field0; /* its field type codes: types[field0 .. field0 + nfields) */
	size_t nfields;
};

struct walk {
	const uint8_t *base, *p, *end;
	int32_t handle_desc[MAX_HANDLES]; /* per handle: index in descs, or -1 */
	size_t nhandles;
	struct desc descs[MAX_DESCS];
	size_t ndescs;
	char types[MAX_FIELDS];
	size_t ntypes;
	const char *why;
};

static int fail(struct walk *w, const char *why)
{
	if (w->why == NULL)
		w->why = why;
	return -1;
}

static int take(struct walk *w, size_t n, const uint8_t **at)
{
	if (n > (size_t)(w->end - w->p))
		return fail(w, "truncated");
	if (at)
		*at = w->p;
	w->p += n;
	return 0;
}

static int u8(struct walk *w, uint8_t *v)
{
	const uint8_t *at;

	if (take(w, 1, &at) != 0)
		return -1;
	*v = at[0];
	return 0;
}

static int be(struct walk *w, size_t n, uint64_t *v)
{
	const uint8_t *at;
	size_t i;

	if (take(w, n, &at) != 0)
		return -1;
	for (*v = 0, i = 0; i < n; i++)
		*v = *v << 8 | at[i];
	return 0;
}

/* A "modified UTF-8" string with a 2-byte length (DataOutput.writeUTF). */
static int utf(struct walk *w, const uint8_t **s, size_t *n)
{
	uint64_t len;

	if (be(w, 2, &len) != 0)
		return -1;
	*n = (size_t)len;
	return take(w, *n, s);
}

static int new_handle(struct walk *w, int32_t desc)
{
	if (w->nhandles >= MAX_HANDLES)
		return fail(w, "too many objects");
	w->handle_desc[w->nhandles++] = desc;
	return 0;
}

/* After TC_REFERENCE: a handle given out before. */
static int reference(struct walk *w)
{
	uint64_t h;

	if (be(w, 4, &h) != 0)
		return -1;
	return h < BASE_HANDLE || h - BASE_HANDLE >= w->nhandles ? fail(w, "bad reference") : 0;
}

static int content(struct walk *w, int depth);
static int class_desc(struct walk *w, int depth, int *out);

/* classAnnotation / objectAnnotation: contents up to TC_ENDBLOCKDATA. */
static int annotation(struct walk *w, int depth)
{
	while (w->p < w->end && *w->p != TC_ENDBLOCKDATA)
		if (content(w, depth + 1) != 0)
			return -1;
	return take(w, 1, NULL);
}

/* A String object where the grammar wants one (a field's class name, an enum constant). */
static int string_object(struct walk *w)
{
	const uint8_t *s;
	uint64_t h;
	size_t n;
	uint8_t tc;

	if (u8(w, &tc) != 0)
		return -1;
	if (tc == TC_STRING)
		return utf(w, &s, &n) != 0 ? -1 : new_handle(w, -1);
	if (tc == TC_LONGSTRING) {
		if (be(w, 8, &h) != 0)
			return -1;
		if (h > (uint64_t)(w->end - w->p))
			return fail(w, "truncated");
		return take(w, (size_t)h, NULL) != 0 ? -1 : new_handle(w, -1);
	}
	if (tc == TC_REFERENCE)
		return reference(w);
	return fail(w, "a class name is not a string");
}

/* newClassDesc after TC_CLASSDESC: name, serialVersionUID, handle, flags, fields,
 * annotation, superclass. */
static int new_class_desc(struct walk *w, int depth, int *out)
{
	const uint8_t *name;
	size_t namelen, i;
	uint64_t nfields;
	struct desc *d;
	int idx, super;
	uint8_t tc;

	if (utf(w, &name, &namelen) != 0 || take(w, 8, NULL) != 0)
		return -1;
	if (w->ndescs >= MAX_DESCS)
		return fail(w, "too many classes");
	idx = (int)w->ndescs++;
	d = &w->descs[idx];
	memset(d, 0, sizeof(*d));
	d->super = -1;
	d->elem = namelen >= 2 && name[0] == '[' ? (char)name[1] : 0;
	if (new_handle(w, idx) != 0 || u8(w, &d->flags) != 0 || be(w, 2, &nfields) != 0)
		return -1;
	if (nfields > MAX_FIELDS - w->ntypes)
		return fail(w, "too many fields");
	d->field0 = w->ntypes;
	d->nfields = (size_t)nfields;
	for (i = 0; i < d->nfields; i++) {
		const uint8_t *fname;
		size_t fnlen;
		if (u8(w, &tc) != 0 || utf(w, &fname, &fnlen) != 0)
			return -1;
		if (strchr("BCDFIJSZL[", tc) == NULL || tc == 0)
			return fail(w, "unknown field type");
		w->types[w->ntypes++] = (char)tc;
		if ((tc == 'L' || tc == '[') && string_object(w) != 0)
			return -1;
	}
	if (annotation(w, depth) != 0 || class_desc(w, depth + 1, &super) != 0)
		return -1;
	d->super = super;
	d->complete = 1;
	*out = idx;
	return 0;
}

/* classDesc: a new one, TC_NULL (*out = -1) or a reference to a completed one. */
static int class_desc(struct walk *w, int depth, int *out)
{
	uint64_t h, n;
	uint8_t tc;
	size_t i;

	if (depth > MAX_DEPTH)
		return fail(w, "nested too deep");
	if (u8(w, &tc) != 0)
		return -1;
	switch (tc) {
	case TC_NULL:
		*out = -1;
		return 0;
	case TC_CLASSDESC:
		return new_class_desc(w, depth, out);
	case TC_PROXYCLASSDESC:
		/* A proxy: interface names, annotation, super; its instances have no field values.
		 */
		if (w->ndescs >= MAX_DESCS)
			return fail(w, "too many classes");
		*out = (int)w->ndescs++;
		memset(&w->descs[*out], 0, sizeof(w->descs[*out]));
		w->descs[*out].super = -1;
		if (new_handle(w, *out) != 0 || be(w, 4, &n) != 0)
			return -1;
		for (i = 0; i < n; i++) {
			const uint8_t *s;
			size_t len;
			if (utf(w, &s, &len) != 0)
				return -1;
		}
		if (annotation(w, depth) != 0 ||
		    class_desc(w, depth + 1, &w->descs[*out].super) != 0)
			return -1;
		w->descs[*out].complete = 1;
		return 0;
	case TC_REFERENCE:
		if (be(w, 4, &h) != 0)
			return -1;
		if (h < BASE_HANDLE || h - BASE_HANDLE >= w->nhandles ||
		    w->handle_desc[h - BASE_HANDLE] < 0 ||
		    !w->descs[w->handle_desc[h - BASE_HANDLE]].complete)
			return fail(w, "bad class reference");
		*out = w->handle_desc[h - BASE_HANDLE];
		return 0;
	default:
		return fail(w, "not a class descriptor");
	}
}

static size_t prim_size(char t)
{
	return t == 'B' || t == 'Z' ? 1 : t == 'C' || t == 'S' ? 2 : t == 'I' || t == 'F' ? 4 : 8;
}

/* One field value of type t. */
static int value(struct walk *w, char t, int depth)
{
	if (t == 'L' || t == '[')
		return content(w, depth + 1);
	return take(w, prim_size(t), NULL);
}

/* classdata[] of a newObject: each class from the top superclass down. */
static int class_data(struct walk *w, int d, int depth)
{
	int chain[MAX_DEPTH + 1];
	int n = 0, k;
	size_t i;

	for (; d >= 0; d = w->descs[d].super) {
		if (n > MAX_DEPTH)
			return fail(w, "class hierarchy too deep");
		chain[n++] = d;
	}
	for (k = n - 1; k >= 0; k--) {
		const struct desc *c = &w->descs[chain[k]];
		if (c->flags & SC_EXTERNALIZABLE) {
			if (!(c->flags & SC_BLOCK_DATA))
				return fail(w, "old externalizable data");
			if (annotation(w, depth) != 0)
				return -1;
			continue;
		}
		for (i = 0; i < c->nfields; i++)
			if (value(w, w->types[c->field0 + i], depth) != 0)
				return -1;
		if ((c->flags & SC_WRITE_METHOD) && annotation(w, depth) != 0)
			return -1;
	}
	return 0;
}

/* content: an object or block data. */
static int content(struct walk *w, int depth)
{
	uint64_t n, i;
	uint8_t tc;
	int d;

	if (depth > MAX_DEPTH)
		return fail(w, "nested too deep");
	if (w->p >= w->end)
		return fail(w, "truncated");
	switch (*w->p) {
	case TC_OBJECT:
		w->p++;
		if (class_desc(w, depth + 1, &d) != 0 || new_handle(w, -1) != 0)
			return -1;
		return d < 0 ? fail(w, "object without a class") : class_data(w, d, depth);
	case TC_ARRAY:
		w->p++;
		if (class_desc(w, depth + 1, &d) != 0 || new_handle(w, -1) != 0 ||
		    be(w, 4, &n) != 0)
			return -1;
		if (d < 0 || w->descs[d].elem == 0)
			return fail(w, "array without an array class");
		if (strchr("L[", w->descs[d].elem) == NULL) {
			if (strchr("BCDFIJSZ", w->descs[d].elem) == NULL)
				return fail(w, "unknown array type");
			/* n < 2^32 and the size at most 8: no overflow in 64 bits. */
			n *= prim_size(w->descs[d].elem);
			return n > (uint64_t)(w->end - w->p) ? fail(w, "truncated")
			                                     : take(w, (size_t)n, NULL);
		}
		for (i = 0; i < n; i++)
			if (content(w, depth + 1) != 0)
				return -1;
		return 0;
	case TC_STRING:
	case TC_LONGSTRING:
		return string_object(w);
	case TC_CLASS:
		w->p++;
		return class_desc(w, depth + 1, &d) != 0 ? -1 : new_handle(w, -1);
	case TC_ENUM:
		w->p++;
		if (class_desc(w, depth + 1, &d) != 0 || new_handle(w, -1) != 0)
			return -1;
		return string_object(w);
	case TC_CLASSDESC:
	case TC_PROXYCLASSDESC:
		return class_desc(w, depth + 1, &d);
	case TC_REFERENCE:
		w->p++;
		return reference(w);
	case TC_NULL:
		w->p++;
		return 0;
	case TC_BLOCKDATA:
		w->p++;
		return u8(w, &tc) != 0 ? -1 : take(w, tc, NULL);
	case TC_BLOCKDATALONG:
		w->p++;
		if (be(w, 4, &n) != 0)
			return -1;
		return n > (uint64_t)(w->end - w->p) ? fail(w, "truncated")
		                                     : take(w, (size_t)n, NULL);
	default:
		/* TC_RESET and TC_EXCEPTION never come from writing one object. */
		return fail(w, "unexpected type code");
	}
}

int mx_java_skip_object(const uint8_t *p, size_t len, size_t *used, const char **why)
{
	struct walk *w;
	uint64_t magic, version;
	int ret;

	*used = 0;
	*why = "out of memory";
	w = malloc(sizeof(*w));
	if (w == NULL)
		return -2;
	w->base = w->p = p;
	w->end = p + len;
	w->nhandles = w->ndescs = w->ntypes = 0;
	w->why = NULL;
	/* STREAM_MAGIC 0xACED, STREAM_VERSION 5, then the one object (readObject). */
	if (be(w, 2, &magic) != 0 || be(w, 2, &version) != 0)
		ret = -1;
	else if (magic != 0xaced || version != 5)
		ret = fail(w, "no Java serialization header");
	else if (w->p < w->end && *w->p != TC_OBJECT)
		ret = fail(w, "not an object");
	else
		ret = content(w, 0);
	*used = (size_t)(w->p - w->base);
	*why = w->why ? w->why : "malformed";
	free(w);
	return ret;
}
