//go:build !race

package evidence

// raceSlowdown is how much slower the race detector makes the CPU work the
// depth meter must wait out.
const raceSlowdown = 1
