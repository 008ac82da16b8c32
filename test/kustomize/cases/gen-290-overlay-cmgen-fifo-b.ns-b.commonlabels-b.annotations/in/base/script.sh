#!/bin/sh
echo hi   

