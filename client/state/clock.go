package state

import "time"

// clockWindow is how many recent observations the clock keeps.
const clockWindow = 16

// Clock estimates the server's clock from events: each event's server
// time against when it arrived. Network delay only makes an event look
// late, so the smallest lag seen lately is the best estimate of how far the
// local clock is ahead of the server's. The zero Clock assumes both agree.
type Clock struct {
	lags [clockWindow]time.Duration // arrival minus server time
	n    int                        // observations so far
}

// Observe records an event made at server time server and received at
// local time local.
func (c *Clock) Observe(server, local time.Time) {
	c.lags[c.n%clockWindow] = local.Sub(server)
	c.n++
}

// Offset is the estimated local clock minus server clock.
func (c *Clock) Offset() time.Duration {
	n := min(c.n, clockWindow)
	if n == 0 {
		return 0
	}
	off := c.lags[0]
	for _, l := range c.lags[1:n] {
		off = min(off, l)
	}
	return off
}

// ServerNow is the server's time at local time local.
func (c *Clock) ServerNow(local time.Time) time.Time { return local.Add(-c.Offset()) }
