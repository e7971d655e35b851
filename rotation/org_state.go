package rotation

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Keys under which NewState records the plan's options in State.Values, so
// that a later process can rebuild the same plan to resume a journal.
const (
	valueStrategy       = "plan.strategy"
	valueKeyBits        = "plan.keyBits"
	valueLabelTemplate  = "plan.labelTemplate"
	valueSoak           = "plan.soak"
	valueContactCenters = "plan.contactCenters"
	valueCanary         = "plan.canary"
	valueConcurrency    = "plan.concurrency"
	valueDeleteOld      = "plan.deleteOld"
	valueAllowSHA1      = "plan.allowSHA1"
)

// recordOptions writes the plan's options into st.Values.
func (p *OrgPlan) recordOptions(st *State) {
	o := p.opts
	for k, v := range map[string]string{
		valueStrategy:       string(o.Strategy),
		valueKeyBits:        strconv.Itoa(o.KeyBits),
		valueLabelTemplate:  o.LabelTemplate,
		valueSoak:           o.Soak.String(),
		valueContactCenters: strings.Join(o.ContactCenters, ","),
		valueCanary:         strconv.Itoa(o.Canary),
		valueConcurrency:    strconv.Itoa(o.Concurrency),
		valueDeleteOld:      strconv.FormatBool(o.DeleteOld),
		valueAllowSHA1:      strconv.FormatBool(o.AllowSHA1),
	} {
		st.SetValue(k, v)
	}
}

// OrgOptionsFrom returns the options of the plan that made st (see
// OrgPlan.NewState), so that NewOrgPlan(idp, rp, opts...) rebuilds the same
// steps to resume or roll back a journaled rotation. Options given after
// these (a logger, a clock) may be appended by the caller.
func OrgOptionsFrom(st *State) ([]OrgOption, error) {
	if st == nil || st.Value(valueStrategy) == "" {
		return nil, fmt.Errorf("%w: the state was not made by an org plan (no recorded options)", ErrInvalidInput)
	}
	bad := func(key string, err error) error {
		return fmt.Errorf("%w: recorded option %s: %v", ErrInvalidInput, key, err)
	}
	keyBits, err := strconv.Atoi(st.Value(valueKeyBits))
	if err != nil {
		return nil, bad(valueKeyBits, err)
	}
	soak, err := time.ParseDuration(st.Value(valueSoak))
	if err != nil {
		return nil, bad(valueSoak, err)
	}
	canary, err := strconv.Atoi(st.Value(valueCanary))
	if err != nil {
		return nil, bad(valueCanary, err)
	}
	concurrency, err := strconv.Atoi(st.Value(valueConcurrency))
	if err != nil {
		return nil, bad(valueConcurrency, err)
	}
	deleteOld, err := strconv.ParseBool(st.Value(valueDeleteOld))
	if err != nil {
		return nil, bad(valueDeleteOld, err)
	}
	allowSHA1, err := strconv.ParseBool(st.Value(valueAllowSHA1))
	if err != nil {
		return nil, bad(valueAllowSHA1, err)
	}
	opts := []OrgOption{
		WithStrategy(Strategy(st.Value(valueStrategy))), WithKeyBits(keyBits),
		WithLabelTemplate(st.Value(valueLabelTemplate)), WithSoak(soak), WithCanary(canary),
		WithConcurrency(concurrency), WithDeleteOld(deleteOld), WithAllowSHA1(allowSHA1),
	}
	if ccs := st.Value(valueContactCenters); ccs != "" {
		opts = append(opts, WithContactCenters(strings.Split(ccs, ",")...))
	}
	return opts, nil
}
