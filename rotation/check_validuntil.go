package rotation

import (
	"fmt"
	"time"
)

// ValidUntilStatus is how close an IAM document's validUntil is, graded
// with the thresholds of certificate expiry. A relying party that honours
// validUntil stops trusting the document then, and a document whose
// validUntil has passed is refused on upload; a rotation sets the
// validUntil the identity provider publishes now.
type ValidUntilStatus struct {
	ValidUntil time.Time `json:"validUntil"`
	DaysLeft   int       `json:"daysLeft"`
	Level      Level     `json:"level"`
}

// validUntilStatus grades the validUntil of trust ref's document (nil when
// it has none) and adds a problem when it is within a threshold.
func validUntilStatus(ref TrustRef, until, now time.Time, thresholds []time.Duration, problems *[]string) *ValidUntilStatus {
	if until.IsZero() {
		return nil
	}
	days, level := levelAt(until, now, thresholds)
	s := &ValidUntilStatus{ValidUntil: until.UTC(), DaysLeft: days, Level: level}
	switch level {
	case LevelOK:
	case LevelExpired:
		*problems = append(*problems, fmt.Sprintf("IAM trust %s: its document's validUntil %s has passed: upload the identity provider's current metadata (a rotation does)",
			ref, s.ValidUntil.Format(time.DateOnly)))
	default:
		*problems = append(*problems, fmt.Sprintf("IAM trust %s: its document's validUntil %s nears (%s, %d days left): upload the identity provider's current metadata (a rotation does)",
			ref, s.ValidUntil.Format(time.DateOnly), level, days))
	}
	return s
}
