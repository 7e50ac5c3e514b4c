package aio

// blockLen is how many items a block of a queue holds.
const blockLen = 256

// queue is a FIFO queue kept in blocks of blockLen items. Growing it never
// copies what it holds, as a slice that doubles would (a million task steps
// queued at once were copied twice over, and the garbage collector's write
// barriers ran on every copy), and the blocks it has emptied are freed as
// it drains, except one kept for reuse, so that a queue that stays short
// allocates nothing. The zero value is an empty queue.
type queue[T any] struct {
	blocks []*[blockLen]T // blocks[0][head] is the first item
	head   int
	size   int
	spare  *[blockLen]T
}

func (q *queue[T]) len() int { return q.size }

// push adds v at the end.
func (q *queue[T]) push(v T) {
	end := q.head + q.size
	if end == len(q.blocks)*blockLen {
		b := q.spare
		if b == nil {
			b = new([blockLen]T)
		}
		q.spare = nil
		q.blocks = append(q.blocks, b)
	}
	q.blocks[end/blockLen][end%blockLen] = v
	q.size++
}

// front returns the first item; the queue must not be empty.
func (q *queue[T]) front() T { return q.blocks[0][q.head] }

// last returns the last item; the queue must not be empty.
func (q *queue[T]) last() T {
	end := q.head + q.size - 1
	return q.blocks[end/blockLen][end%blockLen]
}

// pop removes the first item and returns it; the queue must not be empty.
func (q *queue[T]) pop() T {
	b := q.blocks[0]
	v := b[q.head]
	var zero T
	b[q.head] = zero // let the garbage collector have what it held
	q.head++
	q.size--
	if q.head == blockLen || q.size == 0 {
		// The first block is spent, or the queue is empty: start again at
		// the beginning of a block, keeping one for the next push.
		if q.size == 0 {
			q.blocks = q.blocks[:1]
		} else {
			q.blocks[0] = nil
			q.blocks = q.blocks[1:]
			q.spare = b
		}
		q.head = 0
	}
	return v
}

// each calls f with each item, first to last.
func (q *queue[T]) each(f func(T)) {
	for i := q.head; i < q.head+q.size; i++ {
		f(q.blocks[i/blockLen][i%blockLen])
	}
}

// filter keeps the items for which keep returns true, in order.
func (q *queue[T]) filter(keep func(T) bool) {
	var kept queue[T]
	for q.size > 0 {
		if v := q.pop(); keep(v) {
			kept.push(v)
		}
	}
	*q = kept
}
