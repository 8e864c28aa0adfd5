//go:build js

package gpu

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// uniformDecl matches a program's Params uniform declaration.
var uniformDecl = regexp.MustCompile(`@group\(0\) @binding\((\d+)\) var<uniform> prm: Params;`)

// bakeParams returns src with its Params uniform replaced by a WGSL constant holding params, and
// the binding index the uniform had. Every dimension then is a compile-time constant: the shader
// compiler folds the index arithmetic and turns divisions by constants into multiplications
// (on SwiftShader an integer division by a uniform is a scalar division per lane, and a branch on
// a uniform is a branch on a vector mask). ok is false when src declares no Params uniform.
func bakeParams(src string, params any) (baked string, binding int, ok bool) {
	m := uniformDecl.FindStringSubmatchIndex(src)
	if m == nil {
		return src, 0, false
	}
	binding, _ = strconv.Atoi(src[m[2]:m[3]])
	v := reflect.ValueOf(params)
	vals := make([]string, v.NumField())
	for i := range vals {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Uint32:
			vals[i] = fmt.Sprintf("%du", f.Uint())
		case reflect.Int32:
			vals[i] = fmt.Sprintf("%di", f.Int())
		case reflect.Float32:
			vals[i] = wgslF32(float32(f.Float()))
		default:
			panic("gpu: bakeParams: field " + v.Type().Field(i).Name + " is not a 32-bit number")
		}
	}
	decl := "const prm = Params(" + strings.Join(vals, ", ") + ");"
	return src[:m[0]] + decl + src[m[1]:], binding, true
}

// wgslF32 formats f as a WGSL f32 literal that parses back to exactly f.
func wgslF32(f float32) string {
	s := strconv.FormatFloat(float64(f), 'e', -1, 32)
	return s + "f"
}
